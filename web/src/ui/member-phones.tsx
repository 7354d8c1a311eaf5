import { t } from '../lib/i18n.js';

/** Members' phone numbers as tappable tel: links. */
export function MemberPhones({ members }: { members: { name: string; phone: string | null }[] }) {
  if (members.length === 0) return <span class="muted">{t('household.noMembers')}</span>;
  return (
    <ul class="plain member-phones">
      {members.map((member, index) => (
        <li key={index}>
          {member.name}
          {member.phone && (
            <>
              {' '}
              <a href={`tel:${member.phone.replace(/[^\d+]/g, '')}`} class="tel">
                {member.phone}
              </a>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
