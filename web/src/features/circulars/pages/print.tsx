import type { PrintSheet, Question } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../lib/api.js';
import { optionLabels } from '../components/circular-badges.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { SelectField } from '../../../ui/fields.js';
import { formatDate, formatMonthDay, formatShortDateTime } from '../../../lib/format.js';
import { useAsync, useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { showBlock, useBlockChoices } from '../components/block-choices.js';

/** The sign-off sheet's columns: its class (the print widths) and its header. */
const SIGNOFF_COLUMNS = [
  ['col-number', 'household.number'],
  ['col-name', 'household.name'],
  ['col-seal', 'circulars.print.seal'],
  ['col-date', 'circulars.print.date'],
] as const;

export function PrintPage({ id, blockId }: { id: string; blockId: string | undefined }) {
  useTitle(t('circulars.print.title'));
  const session = useRequiredSession();
  const choices = useBlockChoices();
  // A captain of a single 班 needs no choice.
  const effectiveBlockId = blockId ?? (!session.roles.officer && session.roles.captainOf.length === 1 ? session.roles.captainOf[0]!.id : undefined);
  const sheet = useAsync(
    (signal) => (effectiveBlockId ? api.printSheet(id, effectiveBlockId, signal) : Promise.resolve(null)),
    [id, effectiveBlockId],
  );

  return (
    <div class="stack print-page">
      <div class="no-print stack">
        <p>
          <Link href={`/circulars/${id}`}>{t('circulars.progress.backToCircular')}</Link>
        </p>
        <PageHeading>{t('circulars.print.title')}</PageHeading>
        <p>{t('circulars.print.intro')}</p>
        {choices.length > 0 && (
          <SelectField
            id="print-block"
            label={t('circulars.unreadPage.block')}
            value={effectiveBlockId ?? ''}
            onValue={showBlock(id, 'print')}
            options={[{ value: '', label: t('common.choose') }, ...choices.map((b) => ({ value: b.id, label: b.name }))]}
          />
        )}
        {sheet.data && (
          <div class="actions">
            <button type="button" class="primary" onClick={() => window.print()} data-testid="print-button">
              {t('circulars.print.print')}
            </button>
          </div>
        )}
        {!effectiveBlockId && <p class="card">{t('circulars.print.chooseBlock')}</p>}
      </div>
      {sheet.error ? <ErrorAlert error={sheet.error} /> : null}
      {sheet.loading && effectiveBlockId && !sheet.data && <Loading />}
      {sheet.data && <Sheet sheet={sheet.data} />}
    </div>
  );
}

function Sheet({ sheet }: { sheet: PrintSheet }) {
  const { circular } = sheet;
  return (
    <article class="print-sheet" data-testid="print-sheet">
      <header class="print-head">
        <p class="print-org">
          {sheet.associationName}　{sheet.blockName}
        </p>
        <p class="print-kind">
          {t('circulars.print.kaiban')}　［{t(`circulars.categories.${circular.category}`)}］
        </p>
      </header>
      <h2 class="print-title">{circular.title}</h2>
      <p class="print-dates">
        {circular.publishedAt && <span>{t('circulars.publishedOn', { date: formatDate(circular.publishedAt) })}</span>}
        {circular.dueAt && <span>{t('circulars.print.dueLine', { date: formatShortDateTime(circular.dueAt) })}</span>}
      </p>
      {/* Sanitised HTML rendered by the server. */}
      <div class="circular-body print-body" dangerouslySetInnerHTML={{ __html: circular.bodyHtml }} />
      {circular.question && <PrintQuestion question={circular.question} />}

      <section class="signoff" aria-labelledby="signoff-heading">
        <h3 id="signoff-heading">{t('circulars.print.signoffHeading')}</h3>
        <p class="print-note">{t('circulars.print.signoffNote')}</p>
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
            {sheet.households.map((household) => (
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
        <p class="print-note">{t('circulars.print.passOn')}</p>
      </section>
    </article>
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
