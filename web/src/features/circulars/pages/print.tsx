import { useState } from 'preact/hooks';
import type { PrintSheet } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { SelectField } from '../../../ui/fields.js';
import { useAsync, useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { showBlock, useBlockChoices } from '../components/block-choices.js';
import { PaperHomes } from '../components/paper-homes.js';
import { usePrintedAttachments } from '../components/print-attachments.js';
import { Sheet, Signoff } from '../components/print-sheet.js';

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
        {!effectiveBlockId && <p class="card">{t('circulars.print.chooseBlock')}</p>}
      </div>
      {sheet.error ? <ErrorAlert error={sheet.error} /> : null}
      {sheet.loading && effectiveBlockId && !sheet.data && <Loading />}
      {sheet.data && <Printable sheet={sheet.data} />}
    </div>
  );
}

/** The sheet with its attachments made ready; printed once for the 班 to pass round, or once per home with its name. */
function Printable({ sheet }: { sheet: PrintSheet }) {
  const printed = usePrintedAttachments(sheet.attachments);
  const [perHome, setPerHome] = useState(false);
  const ready = !printed.loading;
  const copies = sheet.households.length;
  return (
    <>
      <div class="no-print stack">
        <PaperHomes households={sheet.households} />
        {copies > 0 && (
          <label class="check">
            <input type="checkbox" checked={perHome} onChange={(event) => setPerHome(event.currentTarget.checked)} data-testid="per-home" />{' '}
            {t('circulars.print.perHome', { count: copies })}
          </label>
        )}
        {printed.error ? <ErrorAlert error={printed.error} /> : null}
        <div class="actions">
          <button type="button" class="primary" onClick={() => window.print()} disabled={!ready} data-testid="print-button" data-ready={ready ? 'true' : 'false'}>
            {ready ? t('circulars.print.printCopies', { count: perHome ? copies : 1 }) : t('circulars.print.preparing')}
          </button>
        </div>
      </div>
      {!ready ? (
        <Loading />
      ) : perHome ? (
        <>
          {sheet.households.map((home) => (
            <Sheet key={home.householdNumber} sheet={sheet} printed={printed.data ?? []} addressee={home} />
          ))}
          <Signoff households={sheet.households} standalone={{ blockName: sheet.blockName, title: sheet.circular.title }} />
        </>
      ) : (
        <Sheet sheet={sheet} printed={printed.data ?? []} />
      )}
    </>
  );
}
