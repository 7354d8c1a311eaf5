import { useEffect, useState } from 'preact/hooks';
import type { HouseholdWatch, WatchSettings } from '../../../../../server/src/contracts/watch.js';
import { api } from '../../../lib/api.js';
import { watchSettingsUpdateSchema } from '../../../../../server/src/contracts/watch.js';
import { useZodForm, type FieldErrors } from '../../../lib/forms.js';
import { FieldError } from '../../../ui/field-error.js';
import { Facts } from '../../../ui/facts.js';
import { TextField } from '../../../ui/fields.js';
import { FormActions } from '../../../ui/form-actions.js';
import { ErrorAlert, Notice } from '../../../ui/alerts.js';
import { range } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';

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
  rhythmEnabled: boolean;
  rhythmGraceMinutes: string;
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
    rhythmEnabled: settings.rhythmEnabled,
    rhythmGraceMinutes: unitText(settings.rhythmGraceMinutes),
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
  { key: 'rhythmGraceMinutes', min: 30, max: 720 },
] as const;

export function SettingsForm({ watch, onSaved }: { watch: HouseholdWatch; onSaved: (next: HouseholdWatch) => void }) {
  const [form, setForm] = useState(() => fromSettings(watch.settings));
  const checked = useZodForm(watchSettingsUpdateSchema);
  const { busy, error } = checked;
  const [saved, setSaved] = useState(false);
  useEffect(() => setForm(fromSettings(watch.settings)), [watch.settings]);
  const set = <K extends keyof SettingsState>(key: K, value: SettingsState[K]) => setForm((f) => ({ ...f, [key]: value }));

  async function submit(event: Event) {
    event.preventDefault();
    setSaved(false);
    checked.reset();
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
    checked.setErrors(local);
    if (Object.keys(local).length > 0) return;
    await checked.submit(async () => {
      const next = await api.updateWatchSettings(watch.householdId, {
        enabled: form.enabled,
        rhythmEnabled: form.rhythmEnabled,
        ...numbers,
        quietHours: form.noQuiet ? null : { start: form.quietStart, end: form.quietEnd },
      });
      setSaved(true);
      onSaved(next);
    });
  }

  const fe = checked.messagesFor;
  const numberField = (key: (typeof NUMBER_FIELDS)[number]['key'], label: string, min: number, max: number) => (
    <TextField
      id={`ws-${key}`}
      label={label}
      type="number"
      inputMode="numeric"
      min={min}
      max={max}
      step={1}
      class="short-input"
      value={form[key]}
      errors={fe(key)}
      onValue={(value) => set(key, value)}
    />
  );

  return (
    <section class="section" aria-labelledby="settings-heading">
      <h2 id="settings-heading">{t('watch.settings.heading')}</h2>
      <form class="card form watch-settings" data-testid="watch-settings" onSubmit={(e) => void submit(e)} noValidate>
        <div class="check big-check">
          <input type="checkbox" id="ws-enabled" checked={form.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
          <label for="ws-enabled">{t('watch.settings.enabled')}</label>
        </div>
        <RhythmFacts watch={watch} />
        <div class="check">
          <input type="checkbox" id="ws-rhythm" data-testid="ws-rhythm" checked={form.rhythmEnabled} onChange={(e) => set('rhythmEnabled', e.currentTarget.checked)} />
          <label for="ws-rhythm">{t('watch.settings.rhythmEnabled')}</label>
        </div>
        {form.rhythmEnabled && numberField('rhythmGraceMinutes', t('watch.settings.rhythmGraceMinutes'), 30, 720)}
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
        <ErrorAlert error={error} />
        {saved && <Notice testid="settings-saved">{t('watch.settings.saved')}</Notice>}
        <FormActions busy={busy} submitLabel={t('watch.settings.save')} />
      </form>
    </section>
  );
}

/**
 * The home's learned rhythm, in words: "usually active by 7時", still learning, or none found;
 * and whether the rhythm check is on (watch/rhythm.service.ts).
 */
export function RhythmFacts({ watch }: { watch: HouseholdWatch }) {
  const { rhythm, settings } = watch;
  const text =
    rhythm.usualHour !== null
      ? t('watch.settings.rhythmUsual', { hour: rhythm.usualHour, days: rhythm.days, percent: Math.round(rhythm.share * 100) })
      : rhythm.days < rhythm.minDays
        ? t('watch.settings.rhythmLearning', { days: rhythm.days, min: rhythm.minDays })
        : t('watch.settings.rhythmNone');
  const check = !settings.rhythmEnabled
    ? t('watch.settings.rhythmOff')
    : rhythm.usualHour !== null
      ? t('watch.settings.rhythmOn', { hour: rhythm.usualHour, grace: unitText(settings.rhythmGraceMinutes) })
      : t('watch.settings.rhythmFallback', { hours: unitText(settings.inactivityHours) });
  return (
    <div class="hint" data-testid="watch-rhythm">
      <p>{text}</p>
      <p>{check}</p>
    </div>
  );
}

/** For those who may see but not change the rules. */
export function SettingsView({ watch }: { watch: HouseholdWatch }) {
  const { settings } = watch;
  return (
    <section class="section" aria-labelledby="settings-heading">
      <h2 id="settings-heading">{t('watch.settings.heading')}</h2>
      <RhythmFacts watch={watch} />
      <Facts
        class="facts card"
        facts={[
          { label: t('watch.settings.inactivityHours'), value: settings.inactivityHours },
          { label: t('watch.settings.quietHours'), value: settings.quietHours ? range(settings.quietHours.start, settings.quietHours.end) : t('common.none') },
          { label: t('watch.settings.tierWaitMinutes'), value: settings.tierWaitMinutes },
        ]}
      />
    </section>
  );
}
