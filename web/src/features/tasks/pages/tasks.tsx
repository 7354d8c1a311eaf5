import { useState } from 'preact/hooks';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { PushButton } from '../../push/components/push-button.js';
import { TaskList } from '../components/captain-tasks.js';
import { CaptainList } from '../components/captain-list.js';
import { CaptainCirculars } from '../components/captain-circulars.js';

/** /tasks: the captain's phone list (one card per household, riskiest first), or the tasks done. */
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
      {status === 'open' ? <CaptainList /> : <TaskList status="done" headingLevel={2} />}
      <CaptainCirculars />
    </div>
  );
}
