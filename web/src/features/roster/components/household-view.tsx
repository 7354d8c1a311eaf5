import type { HouseholdDetail, PersonView } from '../../../../../server/src/contracts/roster.js';
import { ChannelList } from '../../../ui/channels.js';
import { DataTable } from '../../../ui/data-table.js';
import { Facts } from '../../../ui/facts.js';
import { languageName } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';

export function HouseholdView({
  household,
  headingLevel,
  onEditMember,
  onIssueResetCode,
}: {
  household: HouseholdDetail;
  headingLevel: 2 | 3;
  onEditMember?: (person: PersonView) => void;
  /** Officers: a member with a login can be given a password reset code (mayReset says for whom). */
  onIssueResetCode?: { mayReset: (person: PersonView) => boolean; issue: (person: PersonView) => void };
}) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div class="stack household-view" data-testid="household-detail">
      <Facts
        class="facts card"
        facts={[
          { label: t('household.number'), value: household.householdNumber },
          { label: t('household.name'), value: household.name },
          { label: t('household.address'), value: household.address },
          { label: t('household.block'), value: household.blockName },
          { label: t('household.channels'), value: <ChannelList channels={household.channels} /> },
          { label: t('household.responderNotes'), value: household.responderNotes || <span class="muted">{t('common.none')}</span>, ddClass: 'notes' },
        ]}
      />

      <H>{t('household.members')}</H>
      {household.members.length === 0 ? (
        <p>{t('household.noMembers')}</p>
      ) : (
        <DataTable
          rows={household.members}
          rowKey={(person) => person.id}
          rowProps={() => ({ 'data-testid': 'member-row' })}
          columns={[
            {
              label: t('person.name'),
              cell: (person) => (
                <>
                  {person.name}
                  {person.livesElsewhere && <span class="badge" data-testid="lives-elsewhere"> {t('family.livesElsewhere')}</span>}
                </>
              ),
            },
            { label: t('person.kana'), cell: (person) => person.kana },
            { label: t('person.phone'), cell: (person) => (person.phone ? <a href={`tel:${person.phone}`}>{person.phone}</a> : <span class="muted">—</span>) },
            { label: t('person.email'), cell: (person) => (person.email ? <a href={`mailto:${person.email}`}>{person.email}</a> : <span class="muted">—</span>) },
            { label: t('person.language'), cell: (person) => languageName(person.preferredLanguage) },
            { label: t('person.account'), cell: (person) => (person.hasAccount ? t('person.hasAccount') : t('person.noAccount')) },
            (onEditMember || onIssueResetCode) && {
              label: t('common.actions'),
              cell: (person) => (
                <span class="actions">
                  {onEditMember && (
                    <button type="button" class="secondary small" aria-label={t('person.editNamed', { name: person.name })} onClick={() => onEditMember(person)}>
                      {t('person.edit')}
                    </button>
                  )}
                  {onIssueResetCode && person.hasAccount && onIssueResetCode.mayReset(person) && (
                    <button
                      type="button"
                      class="secondary small"
                      data-testid="issue-reset-code"
                      aria-label={t('resetCode.issueNamed', { name: person.name })}
                      onClick={() => onIssueResetCode.issue(person)}
                    >
                      {t('resetCode.issueButton')}
                    </button>
                  )}
                </span>
              ),
            },
          ]}
        />
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
