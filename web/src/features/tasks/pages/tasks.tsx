import { useState } from 'preact/hooks';
import type { CircularSummary, Task } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../api.js';
import { ReadRate, dueText } from '../../circulars/components/circular-badges.js';
import { ChannelList } from '../../../ui/channels.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { formatShortDateTime } from '../../../lib/format.js';
import { useAsync, useDebounced, useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useSocketEvent, useSocketReconnect } from '../../../lib/socket.js';
import { PushButton } from '../../push/components/push-button.js';
import { MemberPhones } from '../../circulars/pages/unread.js';

/** /tasks: the captain's to-do list (open, or done). */
export function TasksPage() {
  useTitle(t('tasks.title'));
  const [status, setStatus] = useState<'open' | 'done'>('open');
  return (
    <div class="stack">
      <PageHeading>{t('tasks.title')}</PageHeading>
      <p class="lead">{t('tasks.intro')}</p>
      <PushButton />
      <div class="tabs" role="group" aria-label={t('tasks.show')}>
        {(['open', 'done'] as const).map((value) => (
          <button key={value} type="button" class={status === value ? 'primary' : 'secondary'} aria-pressed={status === value} onClick={() => setStatus(value)}>
            {t(`tasks.status.${value}`)}
          </button>
        ))}
      </div>
      <TaskList status={status} headingLevel={2} />
      <CaptainCirculars />
    </div>
  );
}

/** The "班長のやること" section on a captain's home page. */
export function CaptainTasks() {
  return (
    <section class="section" aria-labelledby="captain-tasks-heading" data-testid="captain-tasks">
      <h2 id="captain-tasks-heading">{t('tasks.title')}</h2>
      <TaskList status="open" headingLevel={3} />
      <CaptainCirculars nested />
    </section>
  );
}

function TaskList({ status, headingLevel }: { status: 'open' | 'done'; headingLevel: 2 | 3 }) {
  const tasks = useAsync((signal) => api.tasks(status, signal), [status]);
  const refetch = useDebounced(() => tasks.reload(), 300);
  useSocketEvent('task:created', () => refetch());
  useSocketEvent('circular:acknowledged', () => refetch());
  useSocketReconnect(() => tasks.reload());

  if (tasks.error) return <ErrorAlert error={tasks.error} />;
  if (!tasks.data) return <Loading />;
  if (tasks.data.items.length === 0) {
    return (
      <p class="card all-done" data-testid="no-tasks">
        {status === 'open' ? t('tasks.empty') : t('tasks.emptyDone')}
      </p>
    );
  }
  return (
    <ul class="card-list task-list">
      {tasks.data.items.map((task) => (
        <TaskRow
          key={task.id}
          task={task}
          headingLevel={headingLevel}
          onResolved={() => tasks.setData((previous) => previous && { items: previous.items.filter((item) => item.id !== task.id) })}
        />
      ))}
    </ul>
  );
}

function TaskRow({ task, headingLevel, onResolved }: { task: Task; headingLevel: 2 | 3; onResolved: () => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const Heading = headingLevel === 2 ? 'h3' : 'h4';
  const household = task.household;
  const noteId = `task-note-${task.id}`;

  async function resolve() {
    setBusy(true);
    setError(null);
    try {
      await api.resolveTask(task.id, note.trim());
      onResolved();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <li class="card task-row" data-testid="task-row" data-status={task.status}>
      <p class="task-kind">{t(`tasks.kinds.${task.kind}`)}</p>
      <Heading class="task-household">
        {household.householdNumber} {household.name}
      </Heading>
      <p class="muted">{household.blockName}</p>
      <p>{household.address}</p>
      {task.circular && (
        <p class="task-circular">
          {t('tasks.circular')}: <Link href={`/circulars/${task.circular.id}`}>{task.circular.title}</Link>
          {task.circular.dueAt && <span class="due-inline"> {dueText(task.circular.dueAt)}</span>}
        </p>
      )}
      <p>
        <ChannelList channels={household.channels} />
      </p>
      {household.responderNotes && (
        <p class="notes">
          <strong>{t('household.responderNotes')}:</strong> {household.responderNotes}
        </p>
      )}
      <MemberPhones members={household.members} />
      <p class="muted small-text">{t('tasks.createdAt', { date: formatShortDateTime(task.createdAt) })}</p>
      {task.status === 'open' && (
        <div class="task-resolve">
          <div class="field">
            <label for={noteId}>{t('tasks.note')}</label>
            <input id={noteId} value={note} maxLength={500} onInput={(e) => setNote(e.currentTarget.value)} />
          </div>
          <button type="button" class="primary" disabled={busy} onClick={() => void resolve()}>
            {t('tasks.resolve')}
          </button>
          {error ? <ErrorAlert error={error} /> : null}
        </div>
      )}
    </li>
  );
}

/** Published circulars that are still current: links to each 班's unread list and paper sheet. */
function isCurrent(circular: CircularSummary): boolean {
  if (circular.status !== 'published') return false;
  if (!circular.dueAt) return Date.now() - (Date.parse(circular.publishedAt ?? '') || 0) < 30 * 864e5;
  return Date.parse(circular.dueAt) > Date.now() - 7 * 864e5;
}

function CaptainCirculars({ nested = false }: { nested?: boolean }) {
  const session = useRequiredSession();
  const list = useAsync((signal) => api.circulars({ status: 'published', limit: 20 }, signal), []);
  useSocketEvent('circular:published', () => list.reload());
  useSocketEvent('circular:updated', () => list.reload());
  useSocketReconnect(() => list.reload());
  const blocks = session.roles.captainOf;
  const current = (list.data?.items ?? []).filter(isCurrent).slice(0, 10);
  const Heading = nested ? 'h3' : 'h2';

  return (
    <div class="captain-circulars" data-testid="captain-circulars">
      <Heading>{t('tasks.circulars.heading')}</Heading>
      {list.error ? <ErrorAlert error={list.error} /> : null}
      {list.loading && !list.data && <Loading />}
      {list.data && current.length === 0 && <p class="muted">{t('tasks.circulars.empty')}</p>}
      {current.length > 0 && (
        <ul class="plain captain-circular-list">
          {current.map((circular) => (
            <li key={circular.id} class="card">
              <p class="captain-circular-title">
                <Link href={`/circulars/${circular.id}`}>{circular.title}</Link>
                {circular.dueAt && <span class="due-inline"> {dueText(circular.dueAt)}</span>}
              </p>
              <BlockProgress circularId={circular.id} />
              <p class="actions">
                {blocks.map((block) => (
                  <Link key={block.id} href={`/circulars/${circular.id}/unread?blockId=${block.id}`} class="button secondary small">
                    {t('circulars.captain.unreadFor', { block: block.name })}
                  </Link>
                ))}
                {blocks.map((block) => (
                  <Link key={`p-${block.id}`} href={`/circulars/${circular.id}/print?blockId=${block.id}`} class="button secondary small">
                    {t('circulars.print.linkFor', { block: block.name })}
                  </Link>
                ))}
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The captain's 班 read rate for one circular (the server limits progress to their 班). */
function BlockProgress({ circularId }: { circularId: string }) {
  const progress = useAsync((signal) => api.progress(circularId, signal), [circularId]);
  const refetch = useDebounced(() => progress.reload(), 500);
  useSocketEvent('circular:acknowledged', (event) => {
    if (event.circularId === circularId) refetch();
  });
  if (!progress.data) return null;
  return (
    <ul class="plain block-progress">
      {progress.data.byBlock.map((block) => (
        <li key={block.blockId}>
          <span class="block-progress-name">{block.blockName}</span> <ReadRate acknowledged={block.acknowledged} total={block.total} />
        </li>
      ))}
    </ul>
  );
}
