import { api } from '../../../lib/api.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { DirectoryHistoryList } from '../components/directory-history.js';

/** /directory/history (officers): 変更履歴, every change to the association's entries, newest first. */
export function DirectoryHistoryPage() {
  useTitle(t('directory.history.title'));
  return (
    <div class="stack">
      <PageHeading>{t('directory.history.title')}</PageHeading>
      <p class="lead">{t('directory.history.intro')}</p>
      <DirectoryHistoryList load={api.directoryHistory} />
    </div>
  );
}
