import { useState } from 'preact/hooks';
import { api } from '../../../lib/api.js';
import { useResource } from '../../../lib/use-resource.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { ReadinessGaps } from '../components/readiness-gaps.js';
import { BlockReadinessTable, Holders } from '../components/block-readiness-table.js';
import { RegistrationTable } from '../components/registration-table.js';

/**
 * /readiness: who can be reached how, per 班 (officers: every 班; a 班長: their own), the
 * gaps named with the homes behind them, the tiers, and registration over time.
 */
export function ReadinessPage() {
  useTitle(t('readiness.title'));
  const [period, setPeriod] = useState<'week' | 'month'>('week');
  const view = useResource((signal) => api.readiness({ period }, signal), { deps: [period], events: ['roster:changed'], debounceMs: 2000 });
  return (
    <div class="stack">
      <PageHeading>{t('readiness.title')}</PageHeading>
      <p class="lead">{t('readiness.intro')}</p>
      {view.error ? <ErrorAlert error={view.error} /> : null}
      {!view.data ? (
        view.error ? null : <Loading />
      ) : (
        <>
          <section class="stack" aria-labelledby="readiness-gaps">
            <h2 id="readiness-gaps">{t('readiness.gapsTitle')}</h2>
            <ReadinessGaps view={view.data} />
          </section>
          <section class="stack" aria-labelledby="readiness-blocks">
            <h2 id="readiness-blocks">{t('readiness.blocksTitle')}</h2>
            <BlockReadinessTable blocks={view.data.blocks} />
          </section>
          {view.data.tiers.length > 0 && (
            <section class="stack" aria-labelledby="readiness-tiers">
              <h2 id="readiness-tiers">{t('readiness.tiersTitle')}</h2>
              <dl class="facts" data-testid="readiness-tiers">
                {view.data.tiers.map((tier) => (
                  <div key={tier.tier} data-tier={tier.tier}>
                    <dt>{t(`readiness.tiers.${tier.tier}`)}</dt>
                    <dd>
                      <Holders holders={tier.holders} />
                    </dd>
                  </div>
                ))}
              </dl>
            </section>
          )}
          <section class="stack" aria-labelledby="readiness-registration">
            <h2 id="readiness-registration">{t('readiness.registration.title')}</h2>
            <div class="tabs" role="group" aria-label={t('readiness.registration.by')}>
              {(['week', 'month'] as const).map((value) => (
                <button key={value} type="button" class={period === value ? 'primary' : 'secondary'} aria-pressed={period === value} onClick={() => setPeriod(value)}>
                  {t(`readiness.registration.${value}`)}
                </button>
              ))}
            </div>
            <RegistrationTable registration={view.data.registration} blocks={view.data.blocks} />
          </section>
        </>
      )}
    </div>
  );
}
