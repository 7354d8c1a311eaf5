import type { PrintSheet } from '../../../../../server/src/contracts/circulars.js';
import { t } from '../../../lib/i18n.js';

/**
 * For the 班長 (on screen only): the homes of the 班 that get this circular on paper, and
 * why: they chose paper, or nobody there can read it in the app (no login, no push).
 */
export function PaperHomes({ households }: { households: PrintSheet['households'] }) {
  return (
    <section class="card paper-homes" aria-labelledby="paper-homes-heading" data-testid="paper-homes">
      <h2 id="paper-homes-heading">{t('circulars.print.paperHomesHeading')}</h2>
      <p data-testid="paper-count">{t('circulars.print.paperHomesCount', { count: households.length })}</p>
      {households.length === 0 ? (
        <p class="muted">{t('circulars.print.paperHomesNone')}</p>
      ) : (
        <ul class="plain paper-home-list">
          {households.map((home) => (
            <li key={home.householdNumber} data-testid="paper-home">
              <strong>
                {home.householdNumber} {home.householdName}
              </strong>{' '}
              <span class="muted">{home.reasons.map((reason) => t(`circulars.print.reasons.${reason}`)).join('・')}</span>
              {home.acknowledgedAt && <span class="chip">{t('circulars.print.done')}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
