import type { HouseholdDetail, PersonView } from '../../../../../server/src/contracts/http.js';
import { ChannelList } from '../../../ui/channels.js';
import { languageName } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';

export function HouseholdView({
  household,
  headingLevel,
  onEditMember,
}: {
  household: HouseholdDetail;
  headingLevel: 2 | 3;
  onEditMember?: (person: PersonView) => void;
}) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div class="stack household-view" data-testid="household-detail">
      <dl class="facts card">
        <div>
          <dt>{t('household.number')}</dt>
          <dd>{household.householdNumber}</dd>
        </div>
        <div>
          <dt>{t('household.name')}</dt>
          <dd>{household.name}</dd>
        </div>
        <div>
          <dt>{t('household.address')}</dt>
          <dd>{household.address}</dd>
        </div>
        <div>
          <dt>{t('household.block')}</dt>
          <dd>{household.blockName}</dd>
        </div>
        <div>
          <dt>{t('household.channels')}</dt>
          <dd>
            <ChannelList channels={household.channels} />
          </dd>
        </div>
        <div>
          <dt>{t('household.responderNotes')}</dt>
          <dd class="notes">{household.responderNotes || <span class="muted">{t('common.none')}</span>}</dd>
        </div>
      </dl>

      <H>{t('household.members')}</H>
      {household.members.length === 0 ? (
        <p>{t('household.noMembers')}</p>
      ) : (
        <div class="table-wrap">
          <table class="stacked">
            <thead>
              <tr>
                <th scope="col">{t('person.name')}</th>
                <th scope="col">{t('person.kana')}</th>
                <th scope="col">{t('person.phone')}</th>
                <th scope="col">{t('person.email')}</th>
                <th scope="col">{t('person.language')}</th>
                <th scope="col">{t('person.account')}</th>
                {onEditMember && <th scope="col">{t('common.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {household.members.map((person) => (
                <tr key={person.id} data-testid="member-row">
                  <td data-label={t('person.name')}>{person.name}</td>
                  <td data-label={t('person.kana')}>{person.kana}</td>
                  <td data-label={t('person.phone')}>
                    {person.phone ? <a href={`tel:${person.phone}`}>{person.phone}</a> : <span class="muted">—</span>}
                  </td>
                  <td data-label={t('person.email')}>
                    {person.email ? <a href={`mailto:${person.email}`}>{person.email}</a> : <span class="muted">—</span>}
                  </td>
                  <td data-label={t('person.language')}>{languageName(person.preferredLanguage)}</td>
                  <td data-label={t('person.account')}>{person.hasAccount ? t('person.hasAccount') : t('person.noAccount')}</td>
                  {onEditMember && (
                    <td data-label={t('common.actions')}>
                      <button
                        type="button"
                        class="secondary small"
                        aria-label={t('person.editNamed', { name: person.name })}
                        onClick={() => onEditMember(person)}
                      >
                        {t('person.edit')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {household.devices.length > 0 && (
        <>
          <H>{t('household.devices')}</H>
          <ul class="plain">
            {household.devices.map((device) => (
              <li key={device.id}>
                <span class={device.online ? 'status online' : 'status offline'} aria-hidden="true">
                  {device.online ? '●' : '○'}
                </span>{' '}
                {device.label} ({device.online ? t('devices.online') : t('devices.offline')})
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
