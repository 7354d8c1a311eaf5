import { useEffect, useRef } from 'preact/hooks';
import { api } from '../../../lib/api.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { ExportSection } from '../components/export-section.js';
import { TimeZoneSection } from '../../auth/components/time-zone-section.js';
import { BlocksSection } from '../components/blocks-section.js';
import { HouseholdsSection } from '../components/households-section.js';
import { useResource } from '../../../lib/use-resource.js';
import { ROSTER_REFRESH } from '../../../lib/use-resource.js';

export function RosterPage({ focus }: { focus?: 'export' }) {
  useTitle(t('roster.title'));
  const blocks = useResource(() => api.blocks(), ROSTER_REFRESH);
  const exportRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (focus === 'export') exportRef.current?.scrollIntoView();
  }, [focus]);

  return (
    <div class="stack">
      <PageHeading>{t('roster.title')}</PageHeading>
      <p class="actions no-print">
        <Link href="/roster/import" class="button secondary">
          {t('nav.import')}
        </Link>
        <Link href="/passcodes" class="button secondary">
          {t('nav.passcodes')}
        </Link>
      </p>
      <BlocksSection blocks={blocks.data?.items} error={blocks.error} loading={blocks.loading} reload={blocks.reload} />
      <HouseholdsSection blocks={blocks.data?.items ?? []} />
      <ExportSection sectionRef={exportRef} />
      <TimeZoneSection />
    </div>
  );
}
