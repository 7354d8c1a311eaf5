import type { PrintSheet, Question } from '../../../../../server/src/contracts/circulars.js';
import { optionLabels } from './circular-badges.js';
import { formatDate, formatMonthDay, formatShortDateTime } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { HelpLinks } from '../../directory/components/referral-help-links.js';
import { PrintAttachments, type PrintedAttachment } from './print-attachments.js';

/** The sign-off sheet's columns: its class (the print widths) and its header. */
const SIGNOFF_COLUMNS = [
  ['col-number', 'household.number'],
  ['col-name', 'household.name'],
  ['col-seal', 'circulars.print.seal'],
  ['col-date', 'circulars.print.date'],
] as const;

type PaperHome = PrintSheet['households'][number];

/**
 * One printed copy of a circular: the circular, its attachments, and either the sign-off
 * table (the copy passed round the 班) or the household's name in its header (a copy left
 * with one home).
 */
export function Sheet({ sheet, printed, addressee }: { sheet: PrintSheet; printed: PrintedAttachment[]; addressee?: PaperHome }) {
  const { circular } = sheet;
  return (
    <article class={`print-sheet${addressee ? ' print-copy' : ''}`} data-testid={addressee ? 'print-copy' : 'print-sheet'}>
      <header class="print-head">
        <p class="print-org">
          {sheet.associationName}　{sheet.blockName}
        </p>
        <p class="print-kind">
          {t('circulars.print.kaiban')}　［{t(`circulars.categories.${circular.category}`)}］
        </p>
        {addressee && (
          <p class="print-addressee" data-testid="print-addressee">
            {t('circulars.print.addressee', { number: addressee.householdNumber, name: addressee.householdName })}
          </p>
        )}
      </header>
      <h2 class="print-title">{circular.title}</h2>
      <p class="print-dates">
        {circular.publishedAt && <span>{t('circulars.publishedOn', { date: formatDate(circular.publishedAt) })}</span>}
        {circular.dueAt && <span>{t('circulars.print.dueLine', { date: formatShortDateTime(circular.dueAt) })}</span>}
      </p>
      {/* Sanitised HTML rendered by the server. */}
      <div class="circular-body print-body" dangerouslySetInnerHTML={{ __html: circular.bodyHtml }} />
      {circular.question && <PrintQuestion question={circular.question} />}
      <PrintAttachments printed={printed} />
      <HelpLinks help={sheet.help} />
      {addressee ? <p class="print-note">{t('circulars.print.copyNote')}</p> : <Signoff households={sheet.households} />}
    </article>
  );
}

/** The table each home signs (or the 班長 ticks off, for copies left at each home). */
export function Signoff({ households, standalone }: { households: PaperHome[]; standalone?: { blockName: string; title: string } }) {
  return (
    <section class={`signoff${standalone ? ' print-sheet signoff-sheet' : ''}`} aria-labelledby="signoff-heading">
      {standalone && (
        <p class="print-org">
          {standalone.blockName}　{standalone.title}
        </p>
      )}
      <h3 id="signoff-heading">{t('circulars.print.signoffHeading')}</h3>
      <p class="print-note">{standalone ? t('circulars.print.signoffNoteCopies') : t('circulars.print.signoffNote')}</p>
      <div class="signoff-wrap">
        <table class="signoff-table">
          <thead>
            <tr>
              {SIGNOFF_COLUMNS.map(([className, key]) => (
                <th scope="col" class={className} key={className}>
                  {t(key)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {households.map((household) => (
              <tr key={household.householdNumber} data-testid="signoff-row" data-acknowledged={household.acknowledgedAt ? 'true' : 'false'}>
                <td class="col-number">{household.householdNumber}</td>
                <td class="col-name">{household.householdName}</td>
                <td class="col-seal">
                  {household.acknowledgedAt ? <span class="done-mark">{t('circulars.print.done')}</span> : <span class="seal-box" aria-hidden="true" />}
                </td>
                <td class="col-date">{household.acknowledgedAt ? formatMonthDay(household.acknowledgedAt) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!standalone && <p class="print-note">{t('circulars.print.passOn')}</p>}
    </section>
  );
}

function PrintQuestion({ question }: { question: Question }) {
  return (
    <section class="print-question">
      <h3>{t('circulars.answer.heading')}</h3>
      <p>{question.prompt}</p>
      <p class="print-hint">{question.type === 'multiple' ? t('circulars.print.tickAny') : t('circulars.print.tickOne')}</p>
      <ul class="tick-list">
        {optionLabels(question).map((label, index) => (
          <li key={index}>
            <span class="tick-box" aria-hidden="true" /> {label}
            {question.type === 'attendance' && index === 0 && <span class="headcount-blank">（{t('circulars.print.headcountBlank')}）</span>}
          </li>
        ))}
      </ul>
      <p class="print-hint">{t('circulars.print.answerHow')}</p>
    </section>
  );
}
