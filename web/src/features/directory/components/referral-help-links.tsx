import type { CircularDetail } from '../../../../../server/src/contracts/circulars.js';
import type { Worry } from '../../../../../server/src/contracts/directory.js';
import { api } from '../../../lib/api.js';
import { t } from '../../../lib/i18n.js';
import { useResource } from '../../../lib/use-resource.js';
import { FieldError } from '../../../ui/field-error.js';
import { SearchQr } from './search-qr.js';
import { WorryPicker } from './worry-picker.js';

type Help = CircularDetail['help'];

/** The search's address within this app (the full address, from the server's PUBLIC_URL, is for print and QR). */
const inApp = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

/**
 * A circular's links to the local support directory, as an officer writes them: services of the
 * directory that show now (published, current), and the worries of a link to the public search.
 */
export function HelpLinksFields({ serviceIds, worries, onServiceIds, onWorries, errors }: {
  serviceIds: string[]; worries: Worry[]; onServiceIds: (ids: string[]) => void; onWorries: (worries: Worry[]) => void; errors: string[];
}) {
  const listed = useResource((signal) => api.directoryServices(signal), { onReconnect: false });
  const shown = (listed.data?.items ?? []).filter((s) => s.status === 'published' && !s.stale);
  const toggle = (id: string) => onServiceIds(serviceIds.includes(id) ? serviceIds.filter((s) => s !== id) : [...serviceIds, id]);
  return (
    <section class="card help-links-fields" aria-labelledby="c-help-heading" data-testid="help-links-fields">
      <h2 id="c-help-heading">{t('referrals.links.heading')}</h2>
      <p class="hint">{t('referrals.links.intro')}</p>
      <fieldset class="field" aria-describedby={errors.length ? 'c-help-error' : undefined}>
        <legend>{t('referrals.links.services')}</legend>
        {shown.length === 0 && <p class="muted">{t('referrals.links.noServices')}</p>}
        {shown.map((s) => (
          <div class="check" key={s.id}>
            <input type="checkbox" id={`c-help-${s.id}`} checked={serviceIds.includes(s.id)} onChange={() => toggle(s.id)} />
            <label for={`c-help-${s.id}`}>{s.name} <span class="muted">{s.organisation}</span></label>
          </div>
        ))}
        <FieldError id="c-help-error" messages={errors} />
      </fieldset>
      <fieldset class="field">
        <legend>{t('referrals.links.worries')}</legend>
        <WorryPicker ticked={worries} onToggle={(w) => onWorries(worries.includes(w) ? worries.filter((x) => x !== w) : [...worries, w])} />
      </fieldset>
    </section>
  );
}

/**
 * What a reader sees of them: each service as a card with a tap-to-call link, and the worry
 * search as a link; printed, the search's address and its QR code.
 */
export function HelpLinks({ help }: { help: Help }) {
  if (!help.services.length && !help.searchUrl) return null;
  return (
    <section class="stack help-links" aria-labelledby="help-links-heading" data-testid="circular-help-links">
      <h2 id="help-links-heading">{t('referrals.links.readerHeading')}</h2>
      {help.services.map((s) => (
        <article class="card service-card" key={s.id} data-testid="circular-help-service">
          <h3>{s.name}</h3>
          <p class="organisation">{s.organisation}</p>
          {s.phone && <p><a class="call" href={`tel:${s.phone.replace(/[^0-9+#]/g, '')}`}>{t('directory.card.call', { phone: s.phone })}</a></p>}
          {s.hours && <p class="muted">{t('directory.card.hours')}: {s.hours}</p>}
        </article>
      ))}
      {help.searchUrl && (
        <>
          <p class="no-print">
            <a class="button secondary" href={inApp(help.searchUrl)} data-testid="circular-help-search">
              {t('referrals.links.search', { worries: help.worries.map((w) => t(`directory.worry.${w}`)).join('・') })}
            </a>
          </p>
          <div class="print-only"><SearchQr url={help.searchUrl} /></div>
        </>
      )}
    </section>
  );
}
