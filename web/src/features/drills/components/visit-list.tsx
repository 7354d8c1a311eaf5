import { useEffect } from 'preact/hooks';
import type { TargetView } from '../../../../../server/src/contracts/drills.js';
import { api } from '../../../lib/api.js';
import { LoadState } from '../../../ui/alerts.js';
import { t } from '../../../lib/i18n.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useResource } from '../../../lib/use-resource.js';
import { TaskRow } from './task-row.js';

/**
 * A drill's households to visit, as the caller's visit list holds them (their 班 for a
 * 班長; what reached the volunteers for them; all for officers), live: the drill's page of
 * tasks and the volunteers' and officers' home page show it. `only` narrows what is shown;
 * `focus` is a household whose card is scrolled to and marked.
 */
export function VisitList({ drillId, active, only, showCount = true, focus }: { drillId: string; active: boolean; only?: (target: TargetView) => boolean; showCount?: boolean; focus?: string | null }) {
  const session = useRequiredSession();
  const tasks = useResource((signal) => api.drillTasks(drillId, signal), {
    deps: [drillId],
    events: ['drill:updated', 'drill:ended'],
    filter: { 'drill:updated': (event) => event.drillId === drillId, 'drill:ended': (event) => event.drillId === drillId },
    debounceMs: 300,
  });
  // Volunteers do not hear every answer of a 班 (the server tells officers, 班 and household):
  // look again every 30 seconds while the page is open and visible.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') tasks.reload();
    }, 30_000);
    return () => clearInterval(timer);
  }, [tasks.reload]);
  const items = (tasks.data?.items ?? []).filter((target) => !only || only(target));

  return (
    <>
      <LoadState state={tasks} />
      {tasks.data && showCount && (
        <p class="result-count" role="status" data-testid="drill-task-count">
          {items.length === 0 ? t('drills.tasks.none') : t('drills.tasks.count', { count: items.length })}
        </p>
      )}
      {items.length > 0 && (
        <ul class="plain task-stack">
          {items.map((target) => (
            <TaskRow
              key={target.householdId}
              drillId={drillId}
              target={target}
              active={active}
              me={session.person.name}
              focused={target.householdId === focus}
              onDone={(gone) => {
                if (gone) tasks.setData((previous) => previous && { items: previous.items.filter((i) => i.householdId !== target.householdId) });
                tasks.reload();
              }}
            />
          ))}
        </ul>
      )}
    </>
  );
}
