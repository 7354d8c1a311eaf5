import { PageHeading } from '../ui/page-heading.js';
import { useTitle } from '../lib/hooks.js';
import { t } from '../lib/i18n.js';
import { Link } from '../lib/router.js';

export function NotFoundPage() {
  useTitle(t('notFound.title'));
  return (
    <div class="narrow" data-testid="not-found">
      <PageHeading>{t('notFound.title')}</PageHeading>
      <p>{t('notFound.text')}</p>
      <p>
        <Link href="/">{t('notFound.home')}</Link>
      </p>
    </div>
  );
}

export function ForbiddenPage() {
  useTitle(t('forbidden.title'));
  return (
    <div class="narrow" data-testid="forbidden">
      <PageHeading>{t('forbidden.title')}</PageHeading>
      <p>{t('forbidden.text')}</p>
      <p>
        <Link href="/">{t('notFound.home')}</Link>
      </p>
    </div>
  );
}
