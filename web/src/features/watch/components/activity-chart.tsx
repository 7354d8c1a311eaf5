import type { HouseholdWatch } from '../../../../../server/src/contracts/watch.js';
import { formatCalendarDay, formatShortDateTime, relativeTime } from '../../../lib/format.js';
import { useNow } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { DataTable } from '../../../ui/data-table.js';

// ── The activity heat map ──────────────────────────────────────────────────────────────

function dayLabel(date: string): string {
  return formatCalendarDay(date, { month: 'numeric', day: 'numeric', weekday: 'short' });
}

function level(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  const ratio = count / max;
  if (ratio <= 0.25) return 1;
  if (ratio <= 0.5) return 2;
  if (ratio <= 0.75) return 3;
  return 4;
}

const HOURS = Array.from({ length: 24 }, (_, h) => h);

/** 14 rows (days, oldest first) × 24 columns (hours); darker is more activity. Plain divs. */
export function ActivityChart({ watch }: { watch: HouseholdWatch }) {
  const now = useNow();
  const max = Math.max(0, ...watch.days.flatMap((d) => d.hours));
  const today = watch.days[watch.days.length - 1];
  const todayCount = today ? today.hours.reduce((a, b) => a + b, 0) : 0;
  const quiet = watch.days.filter((d) => d.hours.every((n) => n === 0)).length;
  return (
    <figure class="activity-chart" data-testid="activity-chart" aria-labelledby="activity-chart-caption">
      <figcaption id="activity-chart-caption" class="chart-summary" data-testid="activity-summary">
        <span>
          {t('watch.lastActivityLine', {
            when: watch.lastActivityAt ? t('watch.whenWithDate', { relative: relativeTime(watch.lastActivityAt, now), date: formatShortDateTime(watch.lastActivityAt) }) : t('watch.noActivity'),
          })}
        </span>
        <span>{t('watch.chart.today', { count: todayCount })}</span>
        <span class="muted">{t('watch.chart.explain', { days: watch.days.length, quiet })}</span>
      </figcaption>
      <div class="heatmap-scroll">
        <div class="heatmap" aria-hidden="true">
          <span class="heatmap-corner" />
          {HOURS.map((h) => (
            <span key={`h${h}`} class="heatmap-hour">
              {h % 6 === 0 ? t('watch.chart.hour', { hour: h }) : ''}
            </span>
          ))}
          {watch.days.map((day, index) => {
            const isToday = index === watch.days.length - 1;
            return [
              <span key={`d${day.date}`} class={isToday ? 'heatmap-day today' : 'heatmap-day'}>
                {isToday ? t('watch.chart.todayShort') : dayLabel(day.date)}
              </span>,
              ...day.hours.map((count, h) => (
                <span
                  key={`${day.date}-${h}`}
                  class={`heatmap-cell level-${level(count, max)}`}
                  data-count={count}
                  data-date={day.date}
                  data-hour={h}
                  title={t('watch.chart.cellTitle', { day: dayLabel(day.date), hour: h, count })}
                />
              )),
            ];
          })}
        </div>
      </div>
      <p class="heatmap-legend" aria-hidden="true">
        <span>{t('watch.chart.less')}</span>
        {[0, 1, 2, 3, 4].map((n) => (
          <span key={n} class={`heatmap-cell level-${n}`} />
        ))}
        <span>{t('watch.chart.more')}</span>
      </p>
      <details class="chart-table">
        <summary>{t('watch.chart.asTable')}</summary>
        <DataTable
          class=""
          rows={watch.days.slice().reverse()}
          rowKey={(day) => day.date}
          columns={[
            { label: t('watch.chart.day'), rowHeader: true, cell: (day) => dayLabel(day.date) },
            { label: t('watch.chart.total'), class: 'num', cell: (day) => t('watch.chart.times', { count: day.hours.reduce((a, b) => a + b, 0) }) },
            { label: t('watch.chart.activeHours'), cell: (day) => activeHours(day.hours) },
          ]}
        />
      </details>
    </figure>
  );
}

/** The hours of a day with any activity ("7時 8時 …"), or none. */
function activeHours(hours: number[]): string {
  const active = hours.map((n, h) => (n > 0 ? h : -1)).filter((h) => h >= 0);
  return active.length ? active.map((h) => t('watch.chart.hour', { hour: h })).join(' ') : t('common.none');
}
