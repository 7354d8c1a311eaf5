import type { Shelter } from '../../../../../server/src/contracts/shelters.js';
import { api } from '../../../lib/api.js';
import { useResource } from '../../../lib/use-resource.js';
import { t } from '../../../lib/i18n.js';
import { Ruby } from '../../../ui/ruby.js';

/**
 * The association's listed shelters, loaded once where a picker is shown. Officers' list also
 * holds the unlisted ones, which an answer may not name: they are left out here.
 */
export function useShelters(): Shelter[] {
  const list = useResource((signal) => api.shelters(signal));
  return (list.data?.items ?? []).filter((s) => s.listed);
}

/**
 * "Which shelter?" after "evacuated": the association's listed shelters, or "not sure" (the
 * answer may leave it out). Large and in やさしい日本語 for residents.
 */
export function ShelterPicker({ id, value, onValue, shelters }: { id: string; value: string | null; onValue: (id: string | null) => void; shelters: Shelter[] }) {
  if (shelters.length === 0) return null;
  return (
    <div class="field shelter-picker">
      <label for={id}>
        <Ruby k="shelters.picker.label" />
      </label>
      <select id={id} value={value ?? ''} onChange={(e) => onValue(e.currentTarget.value || null)} data-testid="shelter-picker">
        <option value="">{t('shelters.picker.unknown')}</option>
        {shelters.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * For someone recording another household's answer (a 班長's proxy, a visit): "they have
 * evacuated" and, if so, where. `shelterId` is null when not evacuated or not known.
 */
export function EvacuatedFields({
  prefix,
  evacuated,
  onEvacuated,
  shelterId,
  onShelter,
}: {
  prefix: string;
  evacuated: boolean;
  onEvacuated: (evacuated: boolean) => void;
  shelterId: string | null;
  onShelter: (id: string | null) => void;
}) {
  const shelters = useShelters();
  return (
    <>
      <div class="check">
        <input type="checkbox" id={`${prefix}-evacuated`} checked={evacuated} onChange={(e) => onEvacuated(e.currentTarget.checked)} />
        <label for={`${prefix}-evacuated`}>{t('shelters.picker.evacuated')}</label>
      </div>
      {evacuated && <ShelterPicker id={`${prefix}-shelter`} value={shelterId} onValue={onShelter} shelters={shelters} />}
    </>
  );
}
