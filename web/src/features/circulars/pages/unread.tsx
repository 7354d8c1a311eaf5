import { useState } from 'preact/hooks';
import { api } from '../../../lib/api.js';
import { ErrorAlert, LoadState, Notice } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { SelectField } from '../../../ui/fields.js';
import { useAsync, useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useSocketEvent } from '../../../lib/socket.js';
import { dueText } from '../components/circular-badges.js';
import { showBlock, useBlockChoices } from '../components/block-choices.js';
import { UnreadRow } from '../components/unread-row.js';
import { useResource } from '../../../lib/use-resource.js';
import { useSubmit } from '../../../lib/use-submit.js';

export function UnreadPage({ id, blockId }: { id: string; blockId: string | undefined }) {
  useTitle(t('circulars.unreadPage.title'));
  const session = useRequiredSession();
  const choices = useBlockChoices();
  const circular = useAsync((signal) => api.circular(id, signal), [id]);
  const list = useResource((signal) => api.unread(id, blockId, signal), {
    deps: [id, blockId],
    events: ['circular:acknowledged', 'roster:changed'],
    filter: { 'circular:acknowledged': (event) => event.circularId === id },
    debounceMs: 300,
  });
  const [paperMode, setPaperMode] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const { submit: run, busy, error, setError } = useSubmit();
  const [notice, setNotice] = useState<string | null>(null);

  useSocketEvent('circular:acknowledged', (event) => {
    if (event.circularId !== id) return;
    // Remove the row at once; the (debounced) refetch confirms.
    list.setData((previous) => previous && { items: previous.items.filter((item) => item.householdId !== event.householdId) });
    setSelected((ids) => ids.filter((h) => h !== event.householdId));
  });

  async function record() {
    if (selected.length === 0) {
      setError(t('circulars.unreadPage.chooseHouseholds'));
      return;
    }
    setNotice(null);
    await run(async () => {
      const result = await api.paperSignoffs(id, selected);
      const done = new Set(selected);
      list.setData((previous) => previous && { items: previous.items.filter((item) => !done.has(item.householdId)) });
      setSelected([]);
      setNotice(
        result.alreadyAcknowledged > 0
          ? t('circulars.unreadPage.recordedWithAlready', { count: result.recorded, already: result.alreadyAcknowledged })
          : t('circulars.unreadPage.recorded', { count: result.recorded }),
      );
      list.reload();
    });
  }

  const items = list.data?.items ?? [];
  const blockName = choices.find((b) => b.id === blockId)?.name ?? items[0]?.blockName;
  const showBlockColumn = !blockId && new Set(items.map((i) => i.blockId)).size > 1;

  return (
    <div class="stack">
      <p class="no-print">
        <Link href={session.roles.officer ? `/circulars/${id}/progress` : '/'}>
          {session.roles.officer ? t('circulars.progress.back') : t('circulars.backHome')}
        </Link>
      </p>
      <PageHeading>{blockId && blockName ? t('circulars.unreadPage.titleFor', { block: blockName }) : t('circulars.unreadPage.title')}</PageHeading>
      {circular.data && (
        <p class="lead">
          <Link href={`/circulars/${id}`}>{circular.data.title}</Link>
          {circular.data.dueAt && <span class="due-inline"> {dueText(circular.data.dueAt)}</span>}
        </p>
      )}
      {choices.length > 1 && (
        <SelectField
          id="unread-block"
          label={t('circulars.unreadPage.block')}
          value={blockId ?? ''}
          onValue={showBlock(id, 'unread')}
          options={[
            ...(session.roles.officer ? [{ value: '', label: t('households.allBlocks') }] : []),
            ...choices.map((b) => ({ value: b.id, label: b.name })),
          ]}
        />
      )}
      <LoadState state={list} />
      {list.data && (
        <p class="result-count" role="status" data-testid="unread-count">
          {items.length === 0 ? t('circulars.unreadPage.allRead') : t('circulars.unreadPage.count', { count: items.length })}
        </p>
      )}
      {notice && <Notice testid="signoff-notice">{notice}</Notice>}
      {items.length > 0 && (
        <div class="actions">
          <button
            type="button"
            class={paperMode ? 'primary' : 'secondary'}
            aria-pressed={paperMode}
            onClick={() => {
              setPaperMode(!paperMode);
              setSelected([]);
              setError(null);
            }}
          >
            {paperMode ? t('circulars.unreadPage.paperModeOff') : t('circulars.unreadPage.paperMode')}
          </button>
          {blockId && (
            <Link href={`/circulars/${id}/print?blockId=${blockId}`} class="button secondary">
              {t('circulars.print.link')}
            </Link>
          )}
        </div>
      )}
      {paperMode && items.length > 0 && <p class="hint">{t('circulars.unreadPage.paperHint')}</p>}
      {items.length > 0 && (
        <ul class="card-list unread-list">
          {items.map((item) => (
            <UnreadRow
              key={item.householdId}
              item={item}
              showBlock={showBlockColumn}
              paperMode={paperMode}
              checked={selected.includes(item.householdId)}
              onCheck={(on) => setSelected((ids) => (on ? [...ids, item.householdId] : ids.filter((h) => h !== item.householdId)))}
            />
          ))}
        </ul>
      )}
      {paperMode && items.length > 0 && (
        <div class="sticky-actions">
          {error ? typeof error === 'string' ? <ErrorAlert message={error} /> : <ErrorAlert error={error} /> : null}
          <div class="actions">
            <button type="button" class="secondary" onClick={() => setSelected(items.map((i) => i.householdId))}>
              {t('circulars.unreadPage.selectAll')}
            </button>
            <button type="button" class="primary" disabled={busy} onClick={() => void record()} data-testid="record-signoffs">
              {t('circulars.unreadPage.record', { count: selected.length })}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
