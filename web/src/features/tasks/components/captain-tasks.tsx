import { useState } from 'preact/hooks';
import type { Task } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../lib/api.js';
import { dueText } from '../../circulars/components/circular-badges.js';
import { ChannelList } from '../../../ui/channels.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { formatShortDateTime } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { ResponderNotes } from '../../../ui/responder-notes.js';
import { MemberPhones } from '../../../ui/member-phones.js';
import { CaptainCirculars } from './captain-circulars.js';
import { CaptainList } from './captain-list.js';
import { useResource } from '../../../lib/use-resource.js';

/** The "班長のやること" section on a captain's home page. */
export function CaptainTasks() {
  return (
    <section class="section" aria-labelledby="captain-tasks-heading" data-testid="captain-tasks">
      <h2 id="captain-tasks-heading">{t('tasks.title')}</h2>
      <CaptainList />
      <CaptainCirculars nested />
    </section>
  );
}

export function TaskList({ status, headingLevel }: { status: 'open' | 'done'; headingLevel: 2 | 3 }) {
  const tasks = useResource((signal) => api.tasks(status, signal), { deps: [status], events: ['task:created', 'circular:acknowledged'], debounceMs: 300 });

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
      <ResponderNotes notes={household.responderNotes} />
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
