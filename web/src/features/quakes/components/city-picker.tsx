import { useState } from 'preact/hooks';
import { quakeCities } from '../../../../../server/src/contracts/quake-cities.js';
import { t } from '../../../lib/i18n.js';
import { TextField } from '../../../ui/fields.js';

/**
 * The cities of the chosen areas (JMA 地震情報／市町村等, grouped under their 細分区域), picked by
 * checkbox, never typed; a filter narrows a long list. An area with no cities in the list says so.
 */
export function CityPicker({ areas, value, onChange }: { areas: { code: string; name: string }[]; value: string[]; onChange: (next: string[]) => void }) {
  const [filter, setFilter] = useState('');
  const toggle = (code: string, on: boolean) => onChange(on ? [...value, code] : value.filter((c) => c !== code));
  const needle = filter.trim();
  return (
    <div data-testid="quake-cities">
      <TextField id="quake-city-search" type="search" label={t('quakes.settings.citySearch')} value={filter} onValue={setFilter} />
      {areas.map((area) => {
        const cities = quakeCities.find((g) => g.areaCode === area.code)?.cities ?? [];
        if (!cities.length) return <p key={area.code} class="hint">{t('quakes.settings.noCitiesListed', { area: area.name })}</p>;
        // A chosen city stays shown whatever the filter, so what is saved is always in view.
        const shown = cities.filter((c) => !needle || c.name.includes(needle) || value.includes(c.code));
        return (
          <fieldset key={area.code} class="field" data-area={area.code}>
            <legend>{t('quakes.settings.citiesOf', { area: area.name })}</legend>
            {shown.map((city) => (
              <div class="check" key={city.code}>
                <input type="checkbox" id={`quake-city-${city.code}`} checked={value.includes(city.code)} onChange={(e) => toggle(city.code, e.currentTarget.checked)} />
                <label for={`quake-city-${city.code}`}>{city.name}</label>
              </div>
            ))}
          </fieldset>
        );
      })}
    </div>
  );
}
