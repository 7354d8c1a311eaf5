import type { HouseholdWatch } from '../../../../../server/src/contracts/watch.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { WatchSummary } from '../components/watch-summary.js';
import { HouseholdAlerts } from '../components/household-alerts.js';
import { ActivityChart } from '../components/activity-chart.js';
import { SettingsForm, SettingsView } from '../components/settings-form.js';
import { ConsentForm } from '../components/consent-form.js';
import { AwayPeriods } from '../components/away-periods.js';
import { useResource } from '../../../lib/use-resource.js';

/** /watch/households/:id: a home's 14 days of activity, its rules, consent, away periods and alerts. */
export function HouseholdWatchPage({ id }: { id: string }) {
  const session = useRequiredSession();
  const state = useResource((signal) => api.householdWatch(id, signal), {
    deps: [id],
    events: ['watch:alert'],
    filter: { 'watch:alert': (event) => event.householdId === id },
    debounceMs: 300,
  });
  const watch = state.data;
  useTitle(watch ? t('watch.household.title', { name: watch.name }) : t('watch.title'));
  const update = (next: HouseholdWatch) => state.setData(() => next);
  const ownHousehold = session.roles.household?.id === id;
  const watchesOthers = session.roles.officer || session.roles.captainOf.length > 0 || session.roles.volunteer || session.roles.welfareCommissioner || session.roles.watcherOf.length > 0;

  return (
    <div class="stack">
      <p>
        {ownHousehold && !watchesOthers ? (
          <Link href={`/households/${id}`}>{t('watch.household.backToHousehold')}</Link>
        ) : (
          <Link href="/watch">{t('watch.backToWatch')}</Link>
        )}
      </p>
      <PageHeading>{watch ? t('watch.household.title', { name: watch.name }) : t('watch.title')}</PageHeading>
      {state.error ? <ErrorAlert error={state.error} /> : null}
      {state.loading && !watch && <Loading />}
      {watch && (
        <>
          <WatchSummary watch={watch} />
          <HouseholdAlerts watch={watch} canAct={!ownHousehold} onChange={() => state.reload()} />
          <section class="section" aria-labelledby="chart-heading">
            <h2 id="chart-heading">{t('watch.chart.heading')}</h2>
            <ActivityChart watch={watch} />
          </section>
          <AwayPeriods watch={watch} canEdit={watch.canEditSettings} onChange={update} />
          {watch.canEditSettings ? <SettingsForm watch={watch} onSaved={update} /> : <SettingsView watch={watch} />}
          {watch.canEditConsent && <ConsentForm watch={watch} onSaved={update} />}
        </>
      )}
    </div>
  );
}
