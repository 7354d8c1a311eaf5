import { useState } from 'preact/hooks';
import type { CaptainCard, PendingItem } from '../../../../../server/src/contracts/tasks.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert, LoadState } from '../../../ui/alerts.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useResource } from '../../../lib/use-resource.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { useRequiredSession } from '../../../lib/session.js';

/**
 * The 班長's phone list: one short card per household with everything pending for it (a watch
 * alert, a drill visit, overdue circulars), riskiest first, and the bulk paper sign-off of a
 * circular. Built to be read while walking the block: name, number, address, a phone to tap,
 * chips for what is pending and one action.
 */
export function CaptainList() {
  const session = useRequiredSession();
  const [blockId, setBlockId] = useState<string | undefined>(undefined);
  const list = useResource((signal) => api.captainList(blockId, signal), {
    deps: [blockId],
    events: ['task:created', 'circular:acknowledged', 'watch:alert', 'drill:started', 'drill:updated', 'drill:ended'],
    debounceMs: 300,
  });
  const data = list.data;

  return (
    <div class="captain-list" data-testid="captain-list">
      {session.roles.officer && <BlockFilter value={blockId} onChange={setBlockId} />}
      <LoadState state={list} />
      {data && data.items.length === 0 && (
        <p class="card all-done" data-testid="no-tasks">
          {t('tasks.empty')}
        </p>
      )}
      {data?.circulars.map((circular) => (
        <BulkSignoff key={circular.id} circular={circular} cards={data.items} blockId={blockId} onDone={list.refresh} />
      ))}
      {data && data.items.length > 0 && (
        <ul class="plain captain-cards">
          {data.items.map((card) => (
            <Card key={card.householdId} card={card} showBlock={session.roles.officer} onDone={list.refresh} />
          ))}
        </ul>
      )}
    </div>
  );
}

function BlockFilter({ value, onChange }: { value: string | undefined; onChange: (blockId: string | undefined) => void }) {
  const blocks = useResource(() => api.blocks());
  return (
    <div class="field captain-block-filter">
      <label for="captain-list-block">{t('tasks.list.block')}</label>
      <select id="captain-list-block" value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value || undefined)}>
        <option value="">{t('tasks.list.allBlocks')}</option>
        {(blocks.data?.items ?? []).map((block) => (
          <option key={block.id} value={block.id}>
            {block.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function chipText(item: PendingItem) {
  if (item.kind === 'watch_alert') return t(`tasks.list.alert.${item.alertKind}`);
  if (item.kind === 'drill_visit') return t('tasks.list.visit', { title: item.title });
  return t('tasks.list.circular', { title: item.title });
}

function chipClass(item: PendingItem) {
  if (item.kind === 'watch_alert') return item.alertKind === 'help' ? 'chip chip-alert-help' : 'chip chip-alert';
  return item.kind === 'drill_visit' ? 'chip chip-safety' : 'chip chip-notice';
}

function Card({ card, showBlock, onDone }: { card: CaptainCard; showBlock: boolean; onDone: () => void }) {
  const phone = card.members.find((m) => m.phone)?.phone ?? null;
  return (
    <li class="card captain-card" data-testid="captain-card" data-household-id={card.householdId}>
      <p class="captain-card-name">
        <strong>
          {card.householdNumber} {card.name}
        </strong>
        {showBlock && <span class="muted"> {card.blockName}</span>}
        {phone && (
          <a class="tel captain-card-tel" href={`tel:${phone.replace(/[^\d+]/g, '')}`} aria-label={t('tasks.list.call', { name: card.name })}>
            {phone}
          </a>
        )}
      </p>
      <p class="captain-card-address muted">{card.address}</p>
      <p class="captain-chips">
        {card.risk.map((risk) => (
          <span key={risk} class="chip chip-risk">
            {t(`drills.risk.${risk}`)}
          </span>
        ))}
        {card.pending.map((item, index) => (
          <span key={index} class={chipClass(item)} data-testid={`pending-${item.kind}`} data-circular-id={item.kind === 'circular' ? item.circularId : undefined}>
            {chipText(item)}
          </span>
        ))}
      </p>
      <PrimaryAction card={card} onDone={onDone} />
    </li>
  );
}

/** One action per card: the most urgent item's. */
function PrimaryAction({ card, onDone }: { card: CaptainCard; onDone: () => void }) {
  const signoff = useSubmit(async () => {
    const circulars = card.pending.flatMap((p) => (p.kind === 'circular' ? [p.circularId] : []));
    for (const circularId of circulars) await api.bulkPaperSignoff({ circularId, householdIds: [card.householdId] });
    onDone();
  });
  const first = card.pending[0]!;
  if (first.kind === 'watch_alert') {
    return (
      <Link href={`/watch/alerts/${first.alertId}`} class="button primary small">
        {t('tasks.list.openAlert')}
      </Link>
    );
  }
  if (first.kind === 'drill_visit') {
    return (
      <Link href={`/drills/${first.drillId}/tasks?household=${encodeURIComponent(card.householdId)}&from=tasks`} class="button primary small">
        {t('tasks.list.recordVisit')}
      </Link>
    );
  }
  return (
    <>
      <button type="button" class="primary small" disabled={signoff.busy} onClick={() => void signoff.submit()}>
        {t('tasks.list.handedPaper')}
      </button>
      {signoff.error ? <ErrorAlert error={signoff.error} /> : null}
    </>
  );
}

/** A printed circular handed round: tick the homes (or all on this list) and record them in one request. */
function BulkSignoff(props: { circular: { id: string; title: string; households: number }; cards: CaptainCard[]; blockId: string | undefined; onDone: () => void }) {
  const homes = props.cards.filter((c) => c.pending.some((p) => p.kind === 'circular' && p.circularId === props.circular.id));
  const [ticked, setTicked] = useState<Set<string>>(new Set());
  const [result, setResult] = useState<number | null>(null);
  const save = useSubmit(async () => {
    const done = await api.bulkPaperSignoff({ circularId: props.circular.id, householdIds: [...ticked] });
    setResult(done.recorded);
    setTicked(new Set());
    props.onDone();
  });
  const toggle = (id: string) => setTicked((previous) => {
    const next = new Set(previous);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });
  const allTicked = homes.length > 0 && homes.every((h) => ticked.has(h.householdId));
  return (
    <details class="card bulk-signoff" data-testid="bulk-signoff">
      <summary>{t('tasks.list.bulkSummary', { title: props.circular.title, count: props.circular.households })}</summary>
      <p class="muted">{t('tasks.list.bulkIntro')}</p>
      <label class="check">
        <input type="checkbox" checked={allTicked} onChange={() => setTicked(allTicked ? new Set() : new Set(homes.map((h) => h.householdId)))} />
        {t('tasks.list.bulkAll')}
      </label>
      <ul class="plain bulk-signoff-homes">
        {homes.map((home) => (
          <li key={home.householdId}>
            <label class="check">
              <input type="checkbox" checked={ticked.has(home.householdId)} onChange={() => toggle(home.householdId)} />
              {home.householdNumber} {home.name}
            </label>
          </li>
        ))}
      </ul>
      <button type="button" class="primary" disabled={save.busy || ticked.size === 0} onClick={() => void save.submit()}>
        {t('tasks.list.bulkRecord', { count: ticked.size })}
      </button>
      {result !== null && <p role="status">{t('tasks.list.bulkDone', { count: result })}</p>}
      {save.error ? <ErrorAlert error={save.error} /> : null}
    </details>
  );
}
