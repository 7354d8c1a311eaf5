import { useState } from 'preact/hooks';
import type { Shelter } from '../../../../../server/src/contracts/shelters.js';
import { api } from '../../../lib/api.js';
import { useResource } from '../../../lib/use-resource.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { Ruby } from '../../../ui/ruby.js';
import { Hazards, gsiMapUrl } from '../components/hazards.js';

/**
 * /shelters: the association's shelters, large, with a map link for each. Residents see the
 * listed ones; officers see all, tick which are listed, delete, and import the open-data CSV.
 */
export function SheltersPage() {
  useTitle(t('shelters.title'));
  const session = useRequiredSession();
  const officer = session.roles.officer;
  const list = useResource((signal) => api.shelters(signal));
  const [error, setError] = useState<unknown>(null);

  async function change(action: () => Promise<unknown>) {
    setError(null);
    try {
      await action();
      list.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <div class="stack shelters-page">
      <PageHeading>{t('shelters.title')}</PageHeading>
      <p class="lead">
        <Ruby k={officer ? 'shelters.introOfficer' : 'shelters.intro'} />
      </p>
      {officer && (
        <p class="actions">
          <Link href="/shelters/import" class="button secondary">
            {t('shelters.import.link')}
          </Link>
        </p>
      )}
      <ErrorAlert error={error} />
      {list.error ? (
        <ErrorAlert error={list.error} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.items.length === 0 ? (
        <p class="card muted" data-testid="no-shelters">
          <Ruby k="shelters.empty" />
        </p>
      ) : (
        <ul class="card-list shelter-list" data-testid="shelter-list">
          {list.data.items.map((shelter) => (
            <ShelterCard
              key={shelter.id}
              shelter={shelter}
              officer={officer}
              onListed={(listed) => void change(() => api.setShelterListed(shelter.id, listed))}
              onDelete={() => {
                if (window.confirm(t('shelters.confirmDelete', { name: shelter.name }))) void change(() => api.deleteShelter(shelter.id));
              }}
            />
          ))}
        </ul>
      )}
      <p class="hint">{t('shelters.source')}</p>
    </div>
  );
}

function ShelterCard({ shelter, officer, onListed, onDelete }: { shelter: Shelter; officer: boolean; onListed: (listed: boolean) => void; onDelete: () => void }) {
  const id = `shelter-${shelter.id}`;
  return (
    <li class={`card shelter-card${shelter.listed ? '' : ' unlisted'}`} data-testid="shelter-card" data-shelter-id={shelter.id}>
      <h2 class="shelter-name">
        {shelter.name}
        {shelter.kana && <span class="muted shelter-kana"> （{shelter.kana}）</span>}
      </h2>
      <p class="shelter-address">{shelter.address}</p>
      <dl class="facts">
        <div>
          <dt>{t('shelters.hazardsLabel')}</dt>
          <dd>
            <Hazards hazards={shelter.hazards} />
          </dd>
        </div>
        {shelter.capacity !== null && (
          <div>
            <dt>{t('shelters.capacity')}</dt>
            <dd>{t('shelters.people', { count: shelter.capacity })}</dd>
          </div>
        )}
        {shelter.alsoEvacuationCentre !== null && (
          <div>
            <dt>{t('shelters.centre')}</dt>
            <dd>{shelter.alsoEvacuationCentre ? t('shelters.centreYes') : t('shelters.centreNo')}</dd>
          </div>
        )}
      </dl>
      <p>
        <a href={gsiMapUrl(shelter.latitude, shelter.longitude)} target="_blank" rel="noopener noreferrer">
          <Ruby k="shelters.map" />
        </a>
      </p>
      {officer && (
        <div class="actions no-print">
          <div class="check">
            <input type="checkbox" id={`${id}-listed`} checked={shelter.listed} onChange={(e) => onListed(e.currentTarget.checked)} data-testid="shelter-listed" />
            <label for={`${id}-listed`}>{t('shelters.listed')}</label>
          </div>
          {shelter.serves && <p class="hint">{t('shelters.serves', { serves: shelter.serves })}</p>}
          <button type="button" class="secondary danger" onClick={onDelete}>
            {t('shelters.delete')}
          </button>
        </div>
      )}
    </li>
  );
}
