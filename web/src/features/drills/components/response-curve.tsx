import type { Dashboard } from '../../../../../server/src/contracts/drills.js';
import { useNow } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';

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
