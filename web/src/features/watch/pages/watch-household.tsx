import { useEffect, useState } from 'preact/hooks';
import type { HouseholdWatch, WatchSettings } from '../../../../../server/src/contracts/watch.js';
import { api } from '../../../api.js';
import { FieldError, errorsFor, fieldErrorsOf, isoToLocal, localToIso, type FieldErrors } from '../../circulars/components/circular-badges.js';
import { ErrorAlert, Loading, Notice } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { formatShortDateTime, paren, range, relativeTime } from '../../../lib/format.js';
import { useAsync, useDebounced, useNow, useTitle } from '../../../lib/hooks.js';
import { locale, t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useSocketEvent, useSocketReconnect } from '../../../lib/socket.js';
import { AlertCard, byNewest } from '../components/alert-card.js';

/** /watch/households/:id: a home's 14 days of activity, its rules, consent, away periods and alerts. */
export function HouseholdWatchPage({ id }: { id: string }) {
  const session = useRequiredSession();
  const state = useAsync((signal) => api.householdWatch(id, signal), [id]);
  const refetch = useDebounced(() => state.reload(), 300);
  useSocketEvent('watch:alert', (event) => {
    if (event.householdId === id) refetch();
  });
  useSocketReconnect(() => state.reload());
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
          {watch.canEditSettings ? <SettingsForm watch={watch} onSaved={update} /> : <SettingsView settings={watch.settings} />}
          {watch.canEditConsent && <ConsentForm watch={watch} onSaved={update} />}
        </>
      )}
    </div>
  );
}

function WatchSummary({ watch }: { watch: HouseholdWatch }) {
  const now = useNow();
  const today = watch.days[watch.days.length - 1];
  const todayCount = today ? today.hours.reduce((a, b) => a + b, 0) : 0;
  return (
    <dl class="facts card watch-summary" data-testid="watch-summary">
      <div>
        <dt>{t('watch.lastActivity')}</dt>
        <dd>
          <strong class="big-inline">{watch.lastActivityAt ? relativeTime(watch.lastActivityAt, now) : t('watch.noActivity')}</strong>
          {watch.lastActivityAt && <span class="muted">{paren(formatShortDateTime(watch.lastActivityAt))}</span>}
        </dd>
      </div>
      <div>
        <dt>{t('watch.chart.todayLabel')}</dt>
        <dd>
          <strong class="big-inline">{t('watch.chart.times', { count: todayCount })}</strong>
        </dd>
      </div>
      <div>
        <dt>{t('watch.household.state')}</dt>
        <dd>{watch.settings.enabled ? t('watch.household.enabled') : t('watch.household.disabled')}</dd>
      </div>
      {watch.settings.enabled && watch.nextCheckAt && (
        <div>
          <dt>{t('watch.household.nextCheck')}</dt>
          <dd>{formatShortDateTime(watch.nextCheckAt)}</dd>
        </div>
      )}
    </dl>
  );
}

function HouseholdAlerts({ watch, canAct, onChange }: { watch: HouseholdWatch; canAct: boolean; onChange: () => void }) {
  const alerts = watch.alerts.slice().sort(byNewest);
  const live = alerts.filter((a) => a.status === 'open' || a.status === 'taken');
  const closed = alerts.filter((a) => a.status !== 'open' && a.status !== 'taken');
  return (
    <section class="section" aria-labelledby="household-alerts-heading">
      <h2 id="household-alerts-heading">{t('watch.household.alerts')}</h2>
      {live.length === 0 && <p class="muted" data-testid="no-alerts">{t('watch.household.noLiveAlerts')}</p>}
      {live.length > 0 && (
        <ul class="alert-list">
          {live.map((alert) => (
            <AlertCard key={alert.id} alert={alert} canAct={canAct} linkHousehold={false} onChange={onChange} />
          ))}
        </ul>
      )}
      {closed.length > 0 && (
        <details class="closed-alerts">
          <summary>{t('watch.household.closedAlerts', { count: closed.length })}</summary>
          <ul class="alert-list">
            {closed.map((alert) => (
              <AlertCard key={alert.id} alert={alert} canAct={false} linkHousehold={false} showTimeline onChange={onChange} />
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

// ── The activity heat map ──────────────────────────────────────────────────────────────

function dayLabel(date: string): string {
  const day = new Date(`${date}T12:00:00+09:00`);
  if (Number.isNaN(day.getTime())) return date;
  return new Intl.DateTimeFormat(locale(), { month: 'numeric', day: 'numeric', weekday: 'short', timeZone: 'Asia/Tokyo' }).format(day);
}

function level(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  const ratio = count / max;
  if (ratio <= 0.25) return 1;
  if (ratio <= 0.5) return 2;
  if (ratio <= 0.75) return 3;
  return 4;
}

const HOURS = Array.from({ length: 24 }, (_, h) => h);

/** 14 rows (days, oldest first) × 24 columns (hours); darker is more activity. Plain divs. */
export function ActivityChart({ watch }: { watch: HouseholdWatch }) {
  const now = useNow();
  const max = Math.max(0, ...watch.days.flatMap((d) => d.hours));
  const today = watch.days[watch.days.length - 1];
  const todayCount = today ? today.hours.reduce((a, b) => a + b, 0) : 0;
  const quiet = watch.days.filter((d) => d.hours.every((n) => n === 0)).length;
  return (
    <figure class="activity-chart" data-testid="activity-chart" aria-labelledby="activity-chart-caption">
      <figcaption id="activity-chart-caption" class="chart-summary" data-testid="activity-summary">
        <span>
          {t('watch.lastActivityLine', {
            when: watch.lastActivityAt ? t('watch.whenWithDate', { relative: relativeTime(watch.lastActivityAt, now), date: formatShortDateTime(watch.lastActivityAt) }) : t('watch.noActivity'),
          })}
        </span>
        <span>{t('watch.chart.today', { count: todayCount })}</span>
        <span class="muted">{t('watch.chart.explain', { days: watch.days.length, quiet })}</span>
      </figcaption>
      <div class="heatmap-scroll">
        <div class="heatmap" aria-hidden="true">
          <span class="heatmap-corner" />
          {HOURS.map((h) => (
            <span key={`h${h}`} class="heatmap-hour">
              {h % 6 === 0 ? t('watch.chart.hour', { hour: h }) : ''}
            </span>
          ))}
          {watch.days.map((day, index) => {
            const isToday = index === watch.days.length - 1;
            return [
              <span key={`d${day.date}`} class={isToday ? 'heatmap-day today' : 'heatmap-day'}>
                {isToday ? t('watch.chart.todayShort') : dayLabel(day.date)}
              </span>,
              ...day.hours.map((count, h) => (
                <span
                  key={`${day.date}-${h}`}
                  class={`heatmap-cell level-${level(count, max)}`}
                  data-count={count}
                  data-date={day.date}
                  data-hour={h}
                  title={t('watch.chart.cellTitle', { day: dayLabel(day.date), hour: h, count })}
                />
              )),
            ];
          })}
        </div>
      </div>
      <p class="heatmap-legend" aria-hidden="true">
        <span>{t('watch.chart.less')}</span>
        {[0, 1, 2, 3, 4].map((n) => (
          <span key={n} class={`heatmap-cell level-${n}`} />
        ))}
        <span>{t('watch.chart.more')}</span>
      </p>
      <details class="chart-table">
        <summary>{t('watch.chart.asTable')}</summary>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('watch.chart.day')}</th>
                <th scope="col">{t('watch.chart.total')}</th>
                <th scope="col">{t('watch.chart.activeHours')}</th>
              </tr>
            </thead>
            <tbody>
              {watch.days
                .slice()
                .reverse()
                .map((day) => {
                  const active = day.hours.map((n, h) => (n > 0 ? h : -1)).filter((h) => h >= 0);
                  return (
                    <tr key={day.date}>
                      <th scope="row">{dayLabel(day.date)}</th>
                      <td class="num">{t('watch.chart.times', { count: day.hours.reduce((a, b) => a + b, 0) })}</td>
                      <td>{active.length ? active.map((h) => t('watch.chart.hour', { hour: h })).join(' ') : t('common.none')}</td>
                    </tr>
                  );
                })}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

// ── Rules ──────────────────────────────────────────────────────────────────────────────

interface SettingsState {
  enabled: boolean;
  inactivityHours: string;
  noQuiet: boolean;
  quietStart: string;
  quietEnd: string;
  offlineMinutes: string;
  promptWaitMinutes: string;
  tierWaitMinutes: string;
}

/** A timing in the unit people use; fractional when it was set in seconds (a rehearsal). */
const unitText = (value: number) => String(Number.isInteger(value) ? value : Number(value.toPrecision(3)));

function fromSettings(settings: WatchSettings): SettingsState {
  return {
    enabled: settings.enabled,
    inactivityHours: unitText(settings.inactivityHours),
    noQuiet: settings.quietHours === null,
    quietStart: settings.quietHours?.start ?? '22:00',
    quietEnd: settings.quietHours?.end ?? '06:00',
    offlineMinutes: String(settings.offlineMinutes),
    promptWaitMinutes: unitText(settings.promptWaitMinutes),
    tierWaitMinutes: unitText(settings.tierWaitMinutes),
  };
}

function intIn(text: string, min: number, max: number): number | null {
  const value = Number(text.trim().replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)));
  return Number.isInteger(value) && value >= min && value <= max ? value : null;
}

const NUMBER_FIELDS = [
  { key: 'inactivityHours', min: 1, max: 168 },
  { key: 'offlineMinutes', min: 5, max: 1440 },
  { key: 'promptWaitMinutes', min: 5, max: 240 },
  { key: 'tierWaitMinutes', min: 5, max: 240 },
] as const;

function SettingsForm({ watch, onSaved }: { watch: HouseholdWatch; onSaved: (next: HouseholdWatch) => void }) {
  const [form, setForm] = useState(() => fromSettings(watch.settings));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => setForm(fromSettings(watch.settings)), [watch.settings]);
  const set = <K extends keyof SettingsState>(key: K, value: SettingsState[K]) => setForm((f) => ({ ...f, [key]: value }));

  async function submit(event: Event) {
    event.preventDefault();
    setSaved(false);
    setError(null);
    const local: FieldErrors = {};
    const numbers: Record<string, number> = {};
    const initial = fromSettings(watch.settings);
    for (const field of NUMBER_FIELDS) {
      // A timing left as it was is not sent: one set in seconds through the API stays exact.
      if (form[field.key] === initial[field.key]) continue;
      const value = intIn(form[field.key], field.min, field.max);
      if (value === null) local[field.key] = [t('watch.settings.errors.range', { min: field.min, max: field.max })];
      else numbers[field.key] = value;
    }
    if (!form.noQuiet) {
      if (!form.quietStart || !form.quietEnd) local.quietHours = [t('watch.settings.errors.quietMissing')];
      else if (form.quietStart === form.quietEnd) local.quietHours = [t('watch.settings.errors.quietSame')];
    }
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      const next = await api.updateWatchSettings(watch.householdId, {
        enabled: form.enabled,
        ...numbers,
        quietHours: form.noQuiet ? null : { start: form.quietStart, end: form.quietEnd },
      });
      setSaved(true);
      onSaved(next);
    } catch (err) {
      const fields = fieldErrorsOf(err);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setError(err);
    } finally {
      setBusy(false);
    }
  }

  const fe = (field: string) => errorsFor(errors, field);
  const numberField = (key: (typeof NUMBER_FIELDS)[number]['key'], label: string, min: number, max: number) => (
    <div class="field">
      <label for={`ws-${key}`}>{label}</label>
      <input
        id={`ws-${key}`}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        class="short-input"
        value={form[key]}
        aria-invalid={fe(key).length ? true : undefined}
        aria-describedby={fe(key).length ? `ws-${key}-error` : undefined}
        onInput={(e) => set(key, e.currentTarget.value)}
      />
      <FieldError id={`ws-${key}-error`} messages={fe(key)} />
    </div>
  );

  return (
    <section class="section" aria-labelledby="settings-heading">
      <h2 id="settings-heading">{t('watch.settings.heading')}</h2>
      <form class="card form watch-settings" data-testid="watch-settings" onSubmit={(e) => void submit(e)} noValidate>
        <div class="check big-check">
          <input type="checkbox" id="ws-enabled" checked={form.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
          <label for="ws-enabled">{t('watch.settings.enabled')}</label>
        </div>
        {numberField('inactivityHours', t('watch.settings.inactivityHours'), 1, 168)}
        <fieldset class="field" aria-describedby={fe('quietHours').length ? 'ws-quiet-error' : 'ws-quiet-hint'}>
          <legend>{t('watch.settings.quietHours')}</legend>
          <p class="hint" id="ws-quiet-hint">
            {t('watch.settings.quietHint')}
          </p>
          <div class="check">
            <input type="checkbox" id="ws-quiet-none" checked={form.noQuiet} onChange={(e) => set('noQuiet', e.currentTarget.checked)} />
            <label for="ws-quiet-none">{t('watch.settings.quietNone')}</label>
          </div>
          {!form.noQuiet && (
            <div class="row">
              <div class="field">
                <label for="ws-quiet-start">{t('watch.settings.quietStart')}</label>
                <input id="ws-quiet-start" type="time" class="short-input" value={form.quietStart} onInput={(e) => set('quietStart', e.currentTarget.value)} />
              </div>
              <div class="field">
                <label for="ws-quiet-end">{t('watch.settings.quietEnd')}</label>
                <input id="ws-quiet-end" type="time" class="short-input" value={form.quietEnd} onInput={(e) => set('quietEnd', e.currentTarget.value)} />
              </div>
            </div>
          )}
          <FieldError id="ws-quiet-error" messages={fe('quietHours')} />
        </fieldset>
        {numberField('offlineMinutes', t('watch.settings.offlineMinutes'), 5, 1440)}
        {numberField('promptWaitMinutes', t('watch.settings.promptWaitMinutes'), 5, 240)}
        {numberField('tierWaitMinutes', t('watch.settings.tierWaitMinutes'), 5, 240)}
        {error ? <ErrorAlert error={error} /> : null}
        {saved && <Notice testid="settings-saved">{t('watch.settings.saved')}</Notice>}
        <button type="submit" class="primary" disabled={busy}>
          {t('watch.settings.save')}
        </button>
      </form>
    </section>
  );
}

/** For those who may see but not change the rules. */
function SettingsView({ settings }: { settings: WatchSettings }) {
  return (
    <section class="section" aria-labelledby="settings-heading">
      <h2 id="settings-heading">{t('watch.settings.heading')}</h2>
      <dl class="facts card">
        <div>
          <dt>{t('watch.settings.inactivityHours')}</dt>
          <dd>{settings.inactivityHours}</dd>
        </div>
        <div>
          <dt>{t('watch.settings.quietHours')}</dt>
          <dd>{settings.quietHours ? range(settings.quietHours.start, settings.quietHours.end) : t('common.none')}</dd>
        </div>
        <div>
          <dt>{t('watch.settings.tierWaitMinutes')}</dt>
          <dd>{settings.tierWaitMinutes}</dd>
        </div>
      </dl>
    </section>
  );
}

function ConsentForm({ watch, onSaved }: { watch: HouseholdWatch; onSaved: (next: HouseholdWatch) => void }) {
  const [family, setFamily] = useState(watch.settings.shareWithFamily);
  const [captain, setCaptain] = useState(watch.settings.shareWithCaptain);
  const [volunteers, setVolunteers] = useState(watch.settings.shareWithVolunteers);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setFamily(watch.settings.shareWithFamily);
    setCaptain(watch.settings.shareWithCaptain);
    setVolunteers(watch.settings.shareWithVolunteers);
  }, [watch.settings]);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      onSaved(await api.updateWatchSettings(watch.householdId, { shareWithFamily: family, shareWithCaptain: captain, shareWithVolunteers: volunteers }));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const boxes = [
    { id: 'consent-family', label: t('watch.consent.family'), checked: family, set: setFamily },
    { id: 'consent-captain', label: t('watch.consent.captain'), checked: captain, set: setCaptain },
    { id: 'consent-volunteers', label: t('watch.consent.volunteers'), checked: volunteers, set: setVolunteers },
  ];
  return (
    <section class="section" aria-labelledby="consent-heading">
      <h2 id="consent-heading">{t('watch.consent.heading')}</h2>
      <form class="card form" data-testid="watch-consent" onSubmit={(e) => void submit(e)}>
        <p class="hint">{t('watch.consent.intro')}</p>
        <fieldset class="field checkbox-group big-checks">
          <legend>{t('watch.consent.legend')}</legend>
          {boxes.map((box) => (
            <div class="check" key={box.id}>
              <input type="checkbox" id={box.id} checked={box.checked} onChange={(e) => box.set(e.currentTarget.checked)} />
              <label for={box.id}>{box.label}</label>
            </div>
          ))}
        </fieldset>
        {error ? <ErrorAlert error={error} /> : null}
        {saved && <Notice testid="consent-saved">{t('watch.consent.saved')}</Notice>}
        <button type="submit" class="primary" disabled={busy}>
          {t('watch.consent.save')}
        </button>
      </form>
    </section>
  );
}

// ── Away periods ───────────────────────────────────────────────────────────────────────

function AwayPeriods({ watch, canEdit, onChange }: { watch: HouseholdWatch; canEdit: boolean; onChange: (next: HouseholdWatch) => void }) {
  const [startsAt, setStartsAt] = useState(() => isoToLocal(new Date().toISOString()));
  const [endsAt, setEndsAt] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  async function add(event: Event) {
    event.preventDefault();
    setNotice(null);
    setError(null);
    const local: FieldErrors = {};
    const start = localToIso(startsAt);
    const end = localToIso(endsAt);
    if (!start) local.startsAt = [t('watch.away.errors.start')];
    if (!end) local.endsAt = [t('watch.away.errors.end')];
    else if (start && Date.parse(end) <= Date.parse(start)) local.endsAt = [t('watch.away.errors.order')];
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      onChange(await api.addAway(watch.householdId, { startsAt: start!, endsAt: end!, reason: reason.trim() }));
      setEndsAt('');
      setReason('');
      setNotice(t('watch.away.added'));
    } catch (err) {
      const fields = fieldErrorsOf(err);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function remove(awayId: string) {
    if (!window.confirm(t('watch.away.confirmRemove'))) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      onChange(await api.removeAway(watch.householdId, awayId));
      setNotice(t('watch.away.removed'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const fe = (field: string) => errorsFor(errors, field);
  return (
    <section class="section" aria-labelledby="away-heading">
      <h2 id="away-heading">{t('watch.away.heading')}</h2>
      <p class="hint">{t('watch.away.intro')}</p>
      {watch.away.length === 0 ? (
        <p class="muted">{t('watch.away.none')}</p>
      ) : (
        <ul class="plain away-list">
          {watch.away.map((away) => (
            <li key={away.id} class="card away-row" data-testid="away-row">
              <p>
                <strong>
                  {range(formatShortDateTime(away.startsAt), formatShortDateTime(away.endsAt))}
                </strong>
              </p>
              {away.reason && <p>{away.reason}</p>}
              {canEdit && (
                <button
                  type="button"
                  class="danger small"
                  disabled={busy}
                  aria-label={t('watch.away.removeNamed', { range: range(formatShortDateTime(away.startsAt), formatShortDateTime(away.endsAt)) })}
                  onClick={() => void remove(away.id)}
                >
                  {t('watch.away.remove')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {notice && <Notice testid="away-notice">{notice}</Notice>}
      {canEdit && (
        <form class="card form away-form" data-testid="away-form" onSubmit={(e) => void add(e)} noValidate>
          <h3>{t('watch.away.addHeading')}</h3>
          <div class="row">
            <div class="field">
              <label for="away-start">{t('watch.away.start')}</label>
              <input
                id="away-start"
                type="datetime-local"
                value={startsAt}
                aria-invalid={fe('startsAt').length ? true : undefined}
                onInput={(e) => setStartsAt(e.currentTarget.value)}
              />
              <FieldError id="away-start-error" messages={fe('startsAt')} />
            </div>
            <div class="field">
              <label for="away-end">{t('watch.away.end')}</label>
              <input
                id="away-end"
                type="datetime-local"
                value={endsAt}
                aria-invalid={fe('endsAt').length ? true : undefined}
                onInput={(e) => setEndsAt(e.currentTarget.value)}
              />
              <FieldError id="away-end-error" messages={fe('endsAt')} />
            </div>
          </div>
          <div class="field">
            <label for="away-reason">{t('watch.away.reason')}</label>
            <input id="away-reason" maxLength={200} value={reason} placeholder={t('watch.away.reasonHint')} onInput={(e) => setReason(e.currentTarget.value)} />
          </div>
          {error ? <ErrorAlert error={error} /> : null}
          <button type="submit" class="primary" disabled={busy}>
            {t('watch.away.add')}
          </button>
        </form>
      )}
    </section>
  );
}
