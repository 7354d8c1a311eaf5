import { useState } from 'preact/hooks';
import type { Dashboard, TargetView } from '../../../../../server/src/contracts/drills.js';
import { api, ApiError, type SafetyStatus } from '../../../api.js';
import { Bar } from '../../circulars/components/circular-badges.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { formatDuration, formatShortDateTime, formatTime, joinParts, paren } from '../../../lib/format.js';
import { useAsync, useDebounced, useNow, useTitle } from '../../../lib/hooks.js';
import { DrillStatusChip, KindBadge, RiskTags, STATUSES, SafetyChip, percentOf } from '../components/answer-panel.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useSocketEvent, useSocketReconnect } from '../../../lib/socket.js';
import { MemberPhones } from '../../circulars/pages/unread.js';

/** /drills/:id: the live dashboard (officers: everything; 班長: their 班). */
export function DrillDashboardPage({ id }: { id: string }) {
  const session = useRequiredSession();
  const state = useAsync((signal) => api.drillDashboard(id, signal), [id]);
  const refetch = useDebounced(() => state.reload(), 300);
  useSocketEvent('drill:updated', (event) => {
    if (event.drillId === id) refetch();
  });
  useSocketEvent('drill:ended', (event) => {
    if (event.drillId === id) refetch();
  });
  useSocketReconnect(() => state.reload());
  const data = state.data;
  useTitle(data ? t('drills.dashboard.title', { title: data.drill.title }) : t('drills.title'));

  return (
    <div class="stack">
      <p>
        <Link href={session.roles.officer ? '/drills' : '/'}>{session.roles.officer ? t('drills.backToList') : t('drills.backHome')}</Link>
      </p>
      {state.error && !data ? (
        <>
          <PageHeading>{t('drills.title')}</PageHeading>
          <ErrorAlert error={state.error} />
        </>
      ) : null}
      {state.loading && !data && <Loading />}
      {data && <DashboardView data={data} officer={session.roles.officer} onRecorded={() => state.reload()} />}
    </div>
  );
}

function DashboardView({ data, officer, onRecorded }: { data: Dashboard; officer: boolean; onRecorded: () => void }) {
  const { drill, counts } = data;
  const rate = percentOf(counts.accounted, counts.total);
  const [ending, setEnding] = useState(false);
  const [endError, setEndError] = useState<unknown>(null);

  async function end() {
    if (!window.confirm(t('drills.dashboard.confirmEnd', { title: drill.title, unanswered: counts.total - counts.accounted }))) return;
    setEnding(true);
    setEndError(null);
    try {
      await api.endDrill(drill.id);
      navigate(`/drills/${drill.id}/report`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) navigate(`/drills/${drill.id}/report`);
      else {
        setEndError(err);
        setEnding(false);
      }
    }
  }

  return (
    <>
      <div class="drill-head">
        <p class="badges">
          <KindBadge kind={drill.kind} large />
          <DrillStatusChip status={drill.status} />
        </p>
        <PageHeading>{drill.title}</PageHeading>
        <p class="muted">
          {joinParts([
            t('drills.startedAt', { date: formatShortDateTime(drill.startedAt) }),
            t('drills.deadlineAt', { date: formatShortDateTime(drill.deadlineAt) }),
            drill.endedAt && t('drills.endedAt', { date: formatShortDateTime(drill.endedAt) }),
          ])}
        </p>
      </div>
      {drill.status === 'ended' && (
        <p class="alert alert-success" role="status">
          {t('drills.dashboard.ended')} <Link href={`/drills/${drill.id}/report`}>{t('drills.report.link')}</Link>
        </p>
      )}

      <section class="progress-summary drill-summary" aria-label={t('drills.dashboard.summary')}>
        <div class="big-stat">
          <span class="big-stat-label">{t('drills.dashboard.accounted')}</span>
          <span class="big-stat-value">
            <span data-testid="drill-accounted">
              {counts.accounted} / {counts.total}
            </span>{' '}
            <span class="big-stat-unit">{t('drills.households')}</span>
          </span>
          <span class="big-stat-sub" data-testid="drill-rate">
            {t('drills.dashboard.percent', { percent: rate })}
          </span>
          <Bar value={counts.accounted} max={counts.total} />
        </div>
        <div class="big-stat">
          <span class="big-stat-label">{t('drills.dashboard.byStatus')}</span>
          <ul class="plain status-counts" data-testid="drill-counts">
            <li>
              <SafetyChip status="safe" /> <strong data-testid="drill-count-safe">{counts.safe}</strong>
            </li>
            <li>
              <SafetyChip status="needs_help" /> <strong data-testid="drill-count-needs_help">{counts.needsHelp}</strong>
            </li>
            <li>
              <SafetyChip status="injured" /> <strong data-testid="drill-count-injured">{counts.injured}</strong>
            </li>
            <li>
              <SafetyChip status="unanswered" /> <strong data-testid="drill-count-unanswered">{counts.unanswered}</strong>
            </li>
          </ul>
        </div>
        <div class="big-stat">
          <span class="big-stat-label">{t('drills.dashboard.median')}</span>
          <span class="big-stat-value small-value" data-testid="drill-median">
            {formatDuration(data.medianSecondsToAnswer)}
          </span>
          <span class="big-stat-sub muted">{t('drills.dashboard.medianHint')}</span>
        </div>
      </section>

      {officer && drill.status === 'active' && (
        <section class="section end-drill" aria-labelledby="end-heading">
          <h2 id="end-heading">{t('drills.dashboard.endHeading')}</h2>
          <p class="hint">{t('drills.dashboard.endHint')}</p>
          {endError ? <ErrorAlert error={endError} /> : null}
          <button type="button" class="danger" disabled={ending} onClick={() => void end()}>
            {t('drills.dashboard.end')}
          </button>
        </section>
      )}

      <section class="section" aria-labelledby="blocks-heading">
        <h2 id="blocks-heading">{t('drills.dashboard.byBlock')}</h2>
        <BlockTable rows={data.byBlock} />
      </section>

      <section class="section" aria-labelledby="curve-heading">
        <h2 id="curve-heading">{t('drills.dashboard.curve')}</h2>
        <ResponseCurve data={data} />
      </section>

      <section class="section" aria-labelledby="followup-heading">
        <h2 id="followup-heading">
          {t('drills.dashboard.followUp')} <span class="count-pill">{data.needsFollowUp.length}</span>
        </h2>
        {data.needsFollowUp.length === 0 ? (
          <p class="muted">{t('drills.dashboard.noFollowUp')}</p>
        ) : (
          <ul class="card-list target-list">
            {data.needsFollowUp.map((target) => (
              <li key={target.householdId} class={`card target-row follow-up safety-border-${target.status}`} data-testid="follow-up-row">
                <p>
                  {target.status && <SafetyChip status={target.status} />} {target.where && <span>{t(`drills.where.${target.where}`)}</span>}
                </p>
                <h3 class="target-name">
                  {target.householdNumber} {target.name}
                </h3>
                <p class="muted">
                  {joinParts([target.blockName, target.address])}
                </p>
                {target.note && <p class="notes target-note">{target.note}</p>}
                <p class="muted small-text">
                  {joinParts([target.answeredAt && t('drills.answeredAt', { time: formatTime(target.answeredAt) }), target.channel && t(`drills.channels.${target.channel}`)])}
                </p>
                <MemberPhones members={target.members} />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="section" aria-labelledby="unanswered-heading">
        <h2 id="unanswered-heading">
          {t('drills.dashboard.unanswered')} <span class="count-pill">{data.unanswered.length}</span>
        </h2>
        <p class="hint">{t('drills.dashboard.unansweredHint')}</p>
        <p class="actions">
          <Link href={`/drills/${drill.id}/tasks`} class="button secondary">
            {t('drills.home.tasks')}
          </Link>
        </p>
        {data.unanswered.length === 0 ? (
          <p class="card all-done" data-testid="no-unanswered">
            {t('drills.dashboard.allAccounted')}
          </p>
        ) : (
          <ul class="card-list target-list">
            {data.unanswered.map((target) => (
              <UnansweredRow key={target.householdId} drillId={drill.id} target={target} active={drill.status === 'active'} onRecorded={onRecorded} />
            ))}
          </ul>
        )}
      </section>

    </>
  );
}

export function BlockTable({ rows }: { rows: Dashboard['byBlock'] }) {
  if (rows.length === 0) return <p class="muted">{t('drills.dashboard.noBlocks')}</p>;
  return (
    <div class="table-wrap">
      <table class="stacked by-block" data-testid="drill-blocks">
        <thead>
          <tr>
            <th scope="col">{t('blocks.title')}</th>
            <th scope="col">{t('drills.dashboard.accounted')}</th>
            <th scope="col">{t('drills.safety.safe')}</th>
            <th scope="col">{t('drills.safety.needs_help')}</th>
            <th scope="col">{t('drills.safety.injured')}</th>
            <th scope="col">{t('drills.safety.unanswered')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.blockId} data-testid="drill-block-row">
              <td data-label={t('blocks.title')} class="block-name">
                {row.blockName}
              </td>
              <td data-label={t('drills.dashboard.accounted')}>
                <span class="rate-cell">
                  <span class="num">
                    {row.accounted} / {row.total}
                    {paren(t('drills.dashboard.percent', { percent: percentOf(row.accounted, row.total) }))}
                  </span>
                  <Bar value={row.accounted} max={row.total} />
                </span>
              </td>
              <td data-label={t('drills.safety.safe')} class="num">
                {row.safe}
              </td>
              <td data-label={t('drills.safety.needs_help')} class={row.needsHelp ? 'num warn-num' : 'num'}>
                {row.needsHelp}
              </td>
              <td data-label={t('drills.safety.injured')} class={row.injured ? 'num danger-num' : 'num'}>
                {row.injured}
              </td>
              <td data-label={t('drills.safety.unanswered')} class="num">
                {row.unanswered}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ── The response curve (inline SVG) ────────────────────────────────────────────────────

const W = 640;
const H = 260;
const PAD = { left: 48, right: 16, top: 16, bottom: 40 };

export function ResponseCurve({ data }: { data: Pick<Dashboard, 'drill' | 'curve' | 'counts'> }) {
  const now = useNow(30_000);
  const { drill, curve, counts } = data;
  const started = Date.parse(drill.startedAt);
  const until = drill.endedAt ? Date.parse(drill.endedAt) : now;
  const elapsed = Math.max(0, Math.floor((until - started) / 60_000));
  const deadlineMinute = Math.max(0, (Date.parse(drill.deadlineAt) - started) / 60_000);
  const last = curve[curve.length - 1];
  const xMax = Math.max(1, elapsed, last ? last.minute + 1 : 0, Math.ceil(deadlineMinute));
  const yMax = Math.max(1, counts.total);
  const x = (minute: number) => PAD.left + (Math.min(minute, xMax) / xMax) * (W - PAD.left - PAD.right);
  const y = (accounted: number) => H - PAD.bottom - (accounted / yMax) * (H - PAD.top - PAD.bottom);

  // A step line: each minute's count holds until the next.
  const points: [number, number][] = [[x(0), y(0)]];
  let previous = 0;
  for (const point of curve) {
    points.push([x(point.minute), y(previous)]);
    points.push([x(point.minute), y(point.accounted)]);
    previous = point.accounted;
  }
  points.push([x(Math.max(elapsed, last ? last.minute + 1 : 0)), y(previous)]);
  const polyline = points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
  const label = t('drills.curve.label', { minutes: last?.minute ?? 0, accounted: previous, total: counts.total });
  const xTicks = [0, Math.round(xMax / 2), xMax];

  return (
    <figure class="curve-figure">
      <svg
        class="response-curve"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={label}
        data-testid="drill-curve"
        data-accounted={previous}
        data-total={counts.total}
      >
        <line class="axis" x1={PAD.left} y1={y(0)} x2={W - PAD.right} y2={y(0)} />
        <line class="axis" x1={PAD.left} y1={y(0)} x2={PAD.left} y2={PAD.top} />
        <line class="gridline" x1={PAD.left} y1={y(yMax)} x2={W - PAD.right} y2={y(yMax)} />
        {deadlineMinute > 0 && deadlineMinute <= xMax && (
          <>
            <line class="deadline-line" x1={x(deadlineMinute)} y1={PAD.top} x2={x(deadlineMinute)} y2={y(0)} />
            <text class="curve-text deadline-text" x={x(deadlineMinute) + 4} y={PAD.top + 14}>
              {t('drills.curve.deadline')}
            </text>
          </>
        )}
        <polyline class="curve-line" points={polyline} fill="none" />
        <text class="curve-text" x={PAD.left - 6} y={y(0) + 5} text-anchor="end">
          0
        </text>
        <text class="curve-text" x={PAD.left - 6} y={y(yMax) + 5} text-anchor="end">
          {yMax}
        </text>
        {xTicks.map((tick) => (
          <text key={tick} class="curve-text" x={x(tick)} y={H - PAD.bottom + 20} text-anchor={tick === 0 ? 'start' : tick === xMax ? 'end' : 'middle'}>
            {t('drills.curve.minute', { minute: tick })}
          </text>
        ))}
      </svg>
      <figcaption class="muted">{label}</figcaption>
    </figure>
  );
}

// ── One unaccounted household, with "confirmed in person" ──────────────────────────────

function UnansweredRow({ drillId, target, active, onRecorded }: { drillId: string; target: TargetView; active: boolean; onRecorded: () => void }) {
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState<SafetyStatus>('safe');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const prefix = `proxy-${target.householdId}`;

  async function record(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.proxyAnswer(drillId, { householdId: target.householdId, status, where: 'home', note: note.trim() });
      setOpen(false);
      onRecorded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <li class="card target-row" data-testid="unanswered-row" data-household-id={target.householdId}>
      <h3 class="target-name">
        {target.householdNumber} {target.name}
      </h3>
      <p class="muted">
        {joinParts([target.blockName, target.address])}
      </p>
      <p class="target-tags">
        <RiskTags risk={target.risk} />
        {target.tier !== 'none' && <span class="chip tier-chip">{t(`drills.tiers.${target.tier}`)}</span>}
        {target.visitOutcome === 'absent' && <SafetyChip status="absent" />}
      </p>
      {target.takenBy && <p class="taken-by">{t('drills.takenBy', { name: target.takenBy })}</p>}
      {target.responderNotes && (
        <p class="notes">
          <strong>{t('household.responderNotes')}:</strong> {target.responderNotes}
        </p>
      )}
      <MemberPhones members={target.members} />
      {active && !open && (
        <button type="button" class="secondary" onClick={() => setOpen(true)}>
          {t('drills.dashboard.proxy')}
        </button>
      )}
      {active && open && (
        <form class="proxy-form task-resolve" onSubmit={(e) => void record(e)}>
          <fieldset class="field">
            <legend>{t('drills.dashboard.proxyStatus')}</legend>
            {STATUSES.map((value) => (
              <div class="check big-check" key={value}>
                <input type="radio" id={`${prefix}-${value}`} name={`${prefix}-status`} checked={status === value} onChange={() => setStatus(value)} />
                <label for={`${prefix}-${value}`}>{t(`drills.safety.${value}`)}</label>
              </div>
            ))}
          </fieldset>
          <div class="field">
            <label for={`${prefix}-note`}>{t('drills.note')}</label>
            <input id={`${prefix}-note`} maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </div>
          {error ? <ErrorAlert error={error} /> : null}
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>
              {t('drills.record')}
            </button>
            <button type="button" class="secondary" onClick={() => setOpen(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
