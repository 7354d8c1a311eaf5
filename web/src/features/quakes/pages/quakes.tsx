import { api } from '../../../lib/api.js';
import { useResource } from '../../../lib/use-resource.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { TriggerForm } from '../components/trigger-form.js';
import { TelegramLog } from '../components/telegram-log.js';

/** /quakes (officers): the earthquake trigger on JMA's telegrams, and the log of those received. */
export function QuakesPage() {
  useTitle(t('quakes.title'));
  const settings = useResource((signal) => api.quakeSettings(signal));
  const log = useResource((signal) => api.quakeLog(signal), { events: ['drill:started', 'quake:logged'], debounceMs: 300 });
  return (
    <div class="stack">
      <PageHeading>{t('quakes.title')}</PageHeading>
      <p class="lead">{t('quakes.intro')}</p>
      <section class="stack" aria-labelledby="quake-settings-heading">
        <h2 id="quake-settings-heading">{t('quakes.settings.heading')}</h2>
        {settings.error ? <ErrorAlert error={settings.error} /> : !settings.data ? <Loading /> : <TriggerForm settings={settings.data} onSaved={() => settings.refresh()} />}
      </section>
      <section class="stack" aria-labelledby="quake-log-heading">
        <h2 id="quake-log-heading">{t('quakes.log.heading')}</h2>
        {log.error ? <ErrorAlert error={log.error} /> : !log.data ? <Loading /> : <TelegramLog items={log.data.items} />}
      </section>
      <p class="hint">{t('quakes.source')}</p>
    </div>
  );
}
