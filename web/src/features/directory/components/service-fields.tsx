import { t } from '../../../lib/i18n.js';
import { TextField } from '../../../ui/fields.js';

/** Fields shared by the editors' form (ServiceForm) and the organisation's (OrganisationEditForm). */

/** Tick-boxes for a list of codes (worries, age groups, languages), each with its label. */
export function Ticks<C extends string>({ legend, codes, label, value, onValue, errors }: {
  legend: string; codes: readonly C[]; label: (code: C) => string; value: C[]; onValue: (value: C[]) => void; errors: string[];
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {codes.map((c) => (
        <label key={c} class="checkbox">
          {/* Kept in the list's own order, so ticking is never a change of order. */}
          <input type="checkbox" checked={value.includes(c)} onChange={(e) => { const on = e.currentTarget.checked; onValue(codes.filter((x) => (x === c ? on : value.includes(x)))); }} />
          {label(c)}
        </label>
      ))}
      {errors.map((m) => <p key={m} class="field-error">{m}</p>)}
    </fieldset>
  );
}

/**
 * Whether a form's value is what the entry holds, so only changes are sent: tick-box lists as
 * sets (their order is not a change); anything else by value, where undefined and null are alike but
 * a number typed wrong (NaN) is never the entry's null (it is sent, for the contract to refuse).
 */
export function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    const key = (v: unknown) => (Array.isArray(v) ? JSON.stringify(v.map(String).sort()) : null);
    return key(a) !== null && key(a) === key(b);
  }
  return Object.is(a ?? null, b ?? null);
}

/** A typed coordinate: blank is no pin (null); anything else a number for the contract to check (NaN fails "must be a number"). */
export const coordinate = (text: string) => (text.trim() === '' ? null : Number(text));

/** A map position as typed (strings), from an entry's lat/lon. */
export const positionOf = (s: { lat: number | null; lon: number | null } | undefined) => ({ lat: s?.lat == null ? '' : String(s.lat), lon: s?.lon == null ? '' : String(s.lon) });

/** The map position: latitude and longitude as two numbers, and 位置を消す (no map library: an officer reads them off any map app). */
export function PositionFields({ idSuffix, value, onValue, errors }: {
  idSuffix: string; value: { lat: string; lon: string }; onValue: (value: { lat: string; lon: string }) => void; errors: (field: string) => string[];
}) {
  return (
    <fieldset data-testid="directory-position">
      <legend>{t('directory.form.position')}</legend>
      <p class="hint">{t('directory.form.positionHint')}</p>
      {(['lat', 'lon'] as const).map((key) => (
        <TextField key={key} id={`ds-${key}${idSuffix}`} label={t(`directory.form.${key}`)} type="number" step="any" inputMode="decimal"
          value={value[key]} errors={errors(key)} onValue={(v) => onValue({ ...value, [key]: v })} />
      ))}
      {(value.lat !== '' || value.lon !== '') && (
        <button type="button" class="secondary" onClick={() => onValue({ lat: '', lon: '' })}>{t('directory.form.clearPosition')}</button>
      )}
    </fieldset>
  );
}

/** Who an entry is for and where its map pin is, as its card shows them to its editors. */
export function WhoForLine({ service: s }: { service: { ageGroups: string[]; languages: string[]; lat: number | null; lon: number | null } }) {
  const list = (codes: string[], prefix: string) => codes.map((c) => t(`${prefix}.${c}`)).join('・') || '—';
  return (
    <p class="hint" data-testid="directory-who-for">
      {[
        t('directory.editor.ageGroups', { list: list(s.ageGroups, 'directory.ageGroup') }),
        t('directory.editor.languages', { list: list(s.languages, 'directory.language') }),
        s.lat !== null && s.lon !== null ? t('directory.editor.position', { lat: s.lat, lon: s.lon }) : t('directory.editor.noPosition'),
      ].join(' · ')}
    </p>
  );
}
