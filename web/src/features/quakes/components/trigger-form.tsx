import { useEffect, useState } from 'preact/hooks';
import { quakeSettingsSchema, intensityValues, type QuakeSettings } from '../../../../../server/src/contracts/quakes.js';
import { quakeAreas } from '../../../../../server/src/contracts/quake-areas.js';
import { api } from '../../../lib/api.js';
import { useZodForm } from '../../../lib/forms.js';
import { t } from '../../../lib/i18n.js';
import { SelectField, TextField } from '../../../ui/fields.js';
import { FieldError } from '../../../ui/field-error.js';
import { FormActions } from '../../../ui/form-actions.js';
import { ErrorAlert, Notice } from '../../../ui/alerts.js';
import { quakeCity } from '../../../../../server/src/contracts/quake-cities.js';
import { CityPicker } from './city-picker.js';

/** 震度5弱 and so on, from JMA's scale values. */
export const intensityText = (value: string) => t(`quakes.intensity.${value}`);

/**
 * The association's earthquake trigger: its areas picked from JMA's 細分区域 list (never
 * typed), the intensity that starts a real event, the hold-off, the aftershock window and
 * whether 訓練 telegrams start drills.
 */
/** The form's text fields: seconds shown as minutes or hours. */
function formOf(settings: QuakeSettings) {
  return {
    ...settings, holdOff: String(settings.holdOffSeconds), aftershockHours: String(settings.aftershockSeconds / 3600),
    deadlineMinutes: String(settings.deadlineSeconds / 60), volunteersMinutes: String(settings.volunteersAfterSeconds / 60), officersMinutes: String(settings.officersAfterSeconds / 60),
  };
}
/** Minutes typed, seconds sent (a blank or a word stays NaN for the schema to name). */
const minutes = (value: string) => (value.trim() === '' ? Number.NaN : Math.round(Number(value) * 60));

export function TriggerForm({ settings, onSaved }: { settings: QuakeSettings; onSaved: (next: QuakeSettings) => void }) {
  const [form, setForm] = useState(() => formOf(settings));
  const [pick, setPick] = useState('');
  const [saved, setSaved] = useState(false);
  const checked = useZodForm(quakeSettingsSchema);
  useEffect(() => setForm(formOf(settings)), [settings]);
  const fe = checked.messagesFor;
  const nameOf = (code: string) => quakeAreas.find((a) => a.code === code)?.name ?? code;

  async function submit(event: Event) {
    event.preventDefault();
    setSaved(false);
    const data = checked.check({
      areaCodes: form.areaCodes, cityCodes: form.cityCodes, minIntensity: form.minIntensity, drillsFromTraining: form.drillsFromTraining,
      holdOffSeconds: Number(form.holdOff), aftershockSeconds: Math.round(Number(form.aftershockHours) * 3600),
      deadlineSeconds: minutes(form.deadlineMinutes), volunteersAfterSeconds: minutes(form.volunteersMinutes), officersAfterSeconds: minutes(form.officersMinutes),
    });
    if (!data) return;
    await checked.submit(async () => {
      const next = await api.saveQuakeSettings(data);
      setSaved(true);
      onSaved(next);
    });
  }

  return (
    <form class="card form" data-testid="quake-settings" onSubmit={(e) => void submit(e)} noValidate>
      <fieldset class="field">
        <legend>{t('quakes.settings.areas')}</legend>
        <p class="hint">{t('quakes.settings.areasHint')}</p>
        {form.areaCodes.length === 0 ? (
          <p data-testid="quake-no-areas">{t('quakes.settings.noAreas')}</p>
        ) : (
          <ul class="chips" data-testid="quake-areas">
            {form.areaCodes.map((code) => (
              <li key={code}>
                {nameOf(code)}{' '}
                <button type="button" class="secondary small" aria-label={t('quakes.settings.remove', { name: nameOf(code) })} onClick={() => setForm((f) => ({ ...f, areaCodes: f.areaCodes.filter((c) => c !== code), cityCodes: f.cityCodes.filter((c) => quakeCity(c)?.areaCode !== code) }))}>
                  {t('quakes.settings.removeShort')}
                </button>
              </li>
            ))}
          </ul>
        )}
        <div class="row">
          <SelectField
            id="quake-area-pick"
            label={t('quakes.settings.pick')}
            value={pick}
            onValue={setPick}
            options={[{ value: '', label: t('quakes.settings.pickPlaceholder') }, ...quakeAreas.filter((a) => !form.areaCodes.includes(a.code)).map((a) => ({ value: a.code, label: a.name }))]}
          />
          <button type="button" class="secondary" data-testid="quake-area-add" disabled={!pick} onClick={() => { setForm((f) => ({ ...f, areaCodes: [...f.areaCodes, pick] })); setPick(''); }}>
            {t('quakes.settings.add')}
          </button>
        </div>
        <FieldError id="quake-areas-error" messages={fe('areaCodes')} />
      </fieldset>
      {form.areaCodes.length > 0 && (
        <fieldset class="field">
          <legend>{t('quakes.settings.cities')}</legend>
          <p class="hint">{t('quakes.settings.citiesHint')}</p>
          <CityPicker areas={form.areaCodes.map((code) => ({ code, name: nameOf(code) }))} value={form.cityCodes} onChange={(cityCodes) => setForm((f) => ({ ...f, cityCodes }))} />
          <FieldError id="quake-cities-error" messages={fe('cityCodes')} />
        </fieldset>
      )}
      <SelectField id="quake-min" label={t('quakes.settings.minIntensity')} value={form.minIntensity} onValue={(v) => setForm((f) => ({ ...f, minIntensity: v as QuakeSettings['minIntensity'] }))} options={intensityValues.map((v) => ({ value: v, label: intensityText(v) }))} />
      <TextField id="quake-hold-off" type="number" inputMode="numeric" min={0} max={3600} class="short-input" label={t('quakes.settings.holdOff')} hint={t('quakes.settings.holdOffHint')} value={form.holdOff} errors={fe('holdOffSeconds')} onValue={(v) => setForm((f) => ({ ...f, holdOff: v }))} />
      <TextField id="quake-aftershock" type="number" inputMode="decimal" min={0} max={168} class="short-input" label={t('quakes.settings.aftershock')} hint={t('quakes.settings.aftershockHint')} value={form.aftershockHours} errors={fe('aftershockSeconds')} onValue={(v) => setForm((f) => ({ ...f, aftershockHours: v }))} />
      <fieldset class="field">
        <legend>{t('quakes.settings.eventTiming')}</legend>
        <p class="hint">{t('quakes.settings.eventTimingHint')}</p>
        <TextField id="quake-deadline" type="number" inputMode="numeric" min={10} max={4320} class="short-input" label={t('quakes.settings.deadline')} value={form.deadlineMinutes} errors={fe('deadlineSeconds')} onValue={(v) => setForm((f) => ({ ...f, deadlineMinutes: v }))} />
        <TextField id="quake-volunteers-after" type="number" inputMode="numeric" min={1} max={1440} class="short-input" label={t('quakes.settings.volunteersAfter')} value={form.volunteersMinutes} errors={fe('volunteersAfterSeconds')} onValue={(v) => setForm((f) => ({ ...f, volunteersMinutes: v }))} />
        <TextField id="quake-officers-after" type="number" inputMode="numeric" min={1} max={1440} class="short-input" label={t('quakes.settings.officersAfter')} value={form.officersMinutes} errors={fe('officersAfterSeconds')} onValue={(v) => setForm((f) => ({ ...f, officersMinutes: v }))} />
      </fieldset>
      <div class="check">
        <input type="checkbox" id="quake-training" checked={form.drillsFromTraining} onChange={(e) => setForm((f) => ({ ...f, drillsFromTraining: e.currentTarget.checked }))} />
        <label for="quake-training">{t('quakes.settings.drillsFromTraining')}</label>
      </div>
      <ErrorAlert error={checked.error} />
      {saved && <Notice testid="quake-settings-saved">{t('quakes.settings.saved')}</Notice>}
      <FormActions busy={checked.busy} submitLabel={t('quakes.settings.save')} />
    </form>
  );
}
