import type { Hazard } from '../../../../../server/src/contracts/shelters.js';
import { t } from '../../../lib/i18n.js';

/** The hazards a site is designated for, as readable labels. */
export function Hazards({ hazards }: { hazards: Hazard[] }) {
  if (hazards.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="chip-list hazards">
      {hazards.map((h) => (
        <li key={h} class="chip">
          {t(`shelters.hazards.${h}`)}
        </li>
      ))}
    </ul>
  );
}

/** The site on the GSI map (地理院地図), at zoom 17. */
export function gsiMapUrl(latitude: number, longitude: number): string {
  return `https://maps.gsi.go.jp/#17/${latitude}/${longitude}/`;
}
