import { api } from '../../../lib/api.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useAsync, useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { ComposeForm } from '../components/compose-form.js';
import { createdDraft } from '../components/compose-form-state.js';

export function ComposePage({ id }: { id?: string }) {
  const cached = id && createdDraft.justCreated?.id === id ? createdDraft.justCreated : null;
  const existing = useAsync((signal) => (id && !cached ? api.circular(id, signal) : Promise.resolve(null)), [id]);
  useTitle(id ? t('circulars.compose.editTitle') : t('circulars.compose.title'));
  // Unkeyed in both cases, so the form keeps its state when a new draft moves to /circulars/:id/edit.
  if (!id || cached) return <ComposeForm initial={cached} />;
  if (existing.error) {
    return (
      <div class="stack">
        <PageHeading>{t('circulars.compose.editTitle')}</PageHeading>
        <ErrorAlert error={existing.error} />
      </div>
    );
  }
  if (!existing.data) return <Loading />;
  if (existing.data.status !== 'draft' && existing.data.status !== 'scheduled') {
    return (
      <div class="stack">
        <PageHeading>{t('circulars.compose.editTitle')}</PageHeading>
        <p class="card">{t('circulars.compose.notEditable')}</p>
        <p>
          <Link href={`/circulars/${existing.data.id}`}>{t('circulars.compose.viewCircular')}</Link>
        </p>
      </div>
    );
  }
  return <ComposeForm key={existing.data.id} initial={existing.data} />;
}
