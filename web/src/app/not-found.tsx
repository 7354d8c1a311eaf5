import { PageHeading } from '../ui/page-heading.js';
import { useTitle } from '../lib/hooks.js';
import { t } from '../lib/i18n.js';
import { Link } from '../lib/router.js';

/** A page that only says why there is nothing here, with the way home. */
function DeadEndPage({ testid, title, text }: { testid: string; title: string; text: string }) {
  useTitle(title);
  return (
    <div class="narrow" data-testid={testid}>
      <PageHeading>{title}</PageHeading>
      <p>{text}</p>
      <p>
        <Link href="/">{t('notFound.home')}</Link>
      </p>
    </div>
  );
}

export function NotFoundPage() {
  return <DeadEndPage testid="not-found" title={t('notFound.title')} text={t('notFound.text')} />;
}

export function ForbiddenPage() {
  return <DeadEndPage testid="forbidden" title={t('forbidden.title')} text={t('forbidden.text')} />;
}
