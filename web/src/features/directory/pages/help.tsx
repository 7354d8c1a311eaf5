import { useEffect, useState } from 'preact/hooks';
import { worrySchema, type DirectorySearch, type Worry } from '../../../../../server/src/contracts/directory.js';
import { api } from '../../../lib/api.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { Ruby } from '../../../ui/ruby.js';
import { ServiceCard } from '../components/service-card.js';
import { WorryPicker } from '../components/worry-picker.js';

/**
 * /help (public, no login): the お悩みハンドブック. A person ticks what worries them and sees
 * who can help nearby, large, in the language of the header's switch; nothing about them is
 * kept (the worries stay in this page, not in the address or on the server). "印刷" prints
 * the results as a one-page handout. `?area=` picks the association (its QR code carries it);
 * `?worries=` pre-ticks worries and shows their services at once (a circular's link or QR code).
 */
export function HelpPage({ area, worries: initial }: { area?: string; worries?: string }) {
  useTitle(t('directory.help.title'));
  const [ticked, setTicked] = useState<Worry[]>(() => (initial ?? '').split(',').filter((w): w is Worry => worrySchema.safeParse(w).success));
  const [found, setFound] = useState<DirectorySearch | null>(null);
  const { submit, busy, error } = useSubmit(async () => {
    setFound(await api.directorySearch({ worries: ticked.join(','), ...(area && { area }) }));
  });
  // Arrived from a circular's link with worries: show their services without another tap.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { if (ticked.length) void submit(); }, []);
  const toggle = (worry: Worry) => setTicked((now) => (now.includes(worry) ? now.filter((w) => w !== worry) : [...now, worry]));

  return (
    <div class="stack directory-help">
      <div class="no-print stack">
        <PageHeading>{t('directory.help.title')}</PageHeading>
        <p class="lead"><Ruby k="directory.help.intro" /></p>
        <WorryPicker ticked={ticked} onToggle={toggle} />
        <button type="button" class="primary search-button" data-testid="directory-search" disabled={busy} onClick={() => void submit()}>
          <Ruby k={busy ? 'directory.help.searching' : 'directory.help.search'} />
        </button>
        <p class="hint">{t('directory.help.private')}</p>
        <ErrorAlert error={error} />
      </div>
      {found && (
        <section class="stack directory-results" aria-labelledby="directory-results-heading" data-testid="directory-results">
          <h2 id="directory-results-heading">
            {found.general
              ? t('directory.help.generalHeading')
              : t('directory.help.resultsHeading', { worries: ticked.map((w) => t(`directory.worry.${w}`)).join('・') })}
          </h2>
          <p class="print-only handout-area">{t('directory.help.handoutArea', { area: found.areas.map((a) => a.name).join(' / ') })}</p>
          {found.results.length === 0 ? (
            <p>{t('directory.help.none')}</p>
          ) : (
            found.results.map((service) => <ServiceCard key={service.id} service={service} />)
          )}
          <button type="button" class="secondary no-print" data-testid="directory-print" onClick={() => window.print()}>
            {t('directory.help.print')}
          </button>
          <p class="hint">{t('directory.help.vetted')}</p>
        </section>
      )}
    </div>
  );
}
