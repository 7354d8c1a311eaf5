import { useState } from 'preact/hooks';
import type { DirectorySearch, Worry } from '../../../../../server/src/contracts/directory.js';
import type { Referral } from '../../../../../server/src/contracts/referrals.js';
import { api } from '../../../lib/api.js';
import { formatShortDateTime } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import type { Roles } from '../../../lib/session.js';
import { useResource } from '../../../lib/use-resource.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { WorryPicker } from './worry-picker.js';

/** Who refers a household to local help (the server's referralPolicy.refers): 班長, volunteers, 民生委員, officers. */
export const mayRefer = (roles: Roles) => roles.officer || roles.captainOf.length > 0 || roles.volunteer || roles.welfareCommissioner;

const worries = (codes: Worry[]) => codes.map((w) => t(`directory.worry.${w}`)).join('・');

/** A household's referrals so far (the server lists them to officers, its 班長 and whoever made one; nothing for others, the household and its family included). */
export function ReferralList({ householdId, added }: { householdId: string; added: Referral[] }) {
  const listed = useResource((signal) => api.householdReferrals(householdId, signal), { deps: [householdId, added.length] });
  const items = listed.data?.items ?? added;
  if (!items.length) return null;
  return (
    <div class="referral-list" data-testid="referral-list">
      <p class="timeline-heading">{t('referrals.listHeading')}</p>
      <ul class="plain-list">
        {items.map((r) => (
          <li key={r.id} data-testid="referral-item">
            <strong>{r.serviceName}</strong> <span class="muted">{r.organisation}</span>
            <br />
            {worries(r.worries)} <span class="muted">({formatShortDateTime(r.createdAt)}{r.referredBy ? `・${r.referredBy}` : ''})</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * After a visit found a household needing help (a watch alert resolved "needs help", a drill
 * visit "needs help" or "injured"): the helper ticks the worries (nothing is prefilled, no free
 * text), sees the directory's services for the household's area (local first), picks one, ticks
 * 「世帯の同意を得た」 and records the referral. The services are tap-to-call, to pass on there.
 */
export function ReferralPanel({ source, sourceId, householdId, startOpen = false }: { source: Referral['source']; sourceId: string; householdId: string; startOpen?: boolean }) {
  const [open, setOpen] = useState(startOpen);
  const [ticked, setTicked] = useState<Worry[]>([]);
  const [found, setFound] = useState<DirectorySearch | null>(null);
  const [serviceId, setServiceId] = useState<string | null>(null);
  const [consent, setConsent] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [added, setAdded] = useState<Referral[]>([]);
  const prefix = `referral-${sourceId}-${householdId}`;
  const searching = useSubmit(async () => {
    setServiceId(null);
    setFound(await api.referralServices(ticked.join(',')));
  });
  const recording = useSubmit(async () => {
    const made = await api.createReferral({ source, sourceId, householdId, serviceId: serviceId!, worries: ticked, consent: true });
    setAdded((now) => [made, ...now.filter((r) => r.id !== made.id)]);
    setFound(null);
    setTicked([]);
    setConsent(false);
    setOpen(false);
  });
  const toggle = (worry: Worry) => setTicked((now) => (now.includes(worry) ? now.filter((w) => w !== worry) : [...now, worry]));

  function record(event: Event) {
    event.preventDefault();
    const missing = !ticked.length ? 'referrals.chooseWorry' : !serviceId ? 'referrals.chooseService' : !consent ? 'referrals.consentRequired' : null;
    setProblem(missing && t(missing));
    if (!missing) void recording.submit();
  }

  return (
    <section class="referral-panel" data-testid="referral-panel">
      {added.length > 0 && <p class="alert alert-success" role="status" data-testid="referral-recorded">{t('referrals.recorded', { name: added[0]!.serviceName })}</p>}
      <ReferralList householdId={householdId} added={added} />
      {!open ? (
        <button type="button" class="secondary" data-testid="referral-open" onClick={() => setOpen(true)}>{t('referrals.open')}</button>
      ) : (
        <form class="stack" onSubmit={record} data-testid="referral-form" noValidate>
          <p class="timeline-heading">{t('referrals.heading')}</p>
          <p class="hint">{t('referrals.intro')}</p>
          <WorryPicker ticked={ticked} onToggle={toggle} />
          <button type="button" class="secondary" data-testid="referral-search" disabled={searching.busy} onClick={() => void searching.submit()}>
            {t('referrals.search')}
          </button>
          <ErrorAlert error={searching.error} />
          {found && (
            <fieldset class="field referral-services">
              <legend>{t('referrals.services', { area: found.area.name })}</legend>
              {found.results.length === 0 && <p>{t('directory.help.none')}</p>}
              {found.results.map((s) => (
                <div class="check referral-service" key={s.id} data-testid="referral-service">
                  <input type="radio" id={`${prefix}-${s.id}`} name={`${prefix}-service`} checked={serviceId === s.id} onChange={() => setServiceId(s.id)} />
                  <label for={`${prefix}-${s.id}`}>
                    <strong>{s.name}</strong> <span class="muted">{s.organisation}・{s.servesArea}</span>
                    {s.phone && <><br /><a class="call" href={`tel:${s.phone.replace(/[^0-9+#]/g, '')}`}>{t('directory.card.call', { phone: s.phone })}</a></>}
                    {s.hours && <span class="muted"> {s.hours}</span>}
                  </label>
                </div>
              ))}
            </fieldset>
          )}
          <div class="check big-check">
            <input type="checkbox" id={`${prefix}-consent`} data-testid="referral-consent" checked={consent} onChange={(e) => { setConsent(e.currentTarget.checked); setProblem(null); }} />
            <label for={`${prefix}-consent`}>{t('referrals.consent')}</label>
          </div>
          {problem && <ErrorAlert message={problem} />}
          <ErrorAlert error={recording.error} />
          <div class="actions">
            <button type="submit" class="primary" data-testid="referral-record" disabled={recording.busy}>{t('referrals.record')}</button>
            <button type="button" class="secondary" onClick={() => setOpen(false)}>{t('common.cancel')}</button>
          </div>
        </form>
      )}
    </section>
  );
}
