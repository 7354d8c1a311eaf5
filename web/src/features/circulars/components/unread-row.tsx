import { ChannelList } from '../../../ui/channels.js';
import { t } from '../../../lib/i18n.js';
import type { UnreadList } from '../../../../../server/src/contracts/circulars.js';
import { ResponderNotes } from '../../../ui/responder-notes.js';
import { MemberPhones } from '../../../ui/member-phones.js';

type UnreadItem = UnreadList['items'][number];

export function UnreadRow({
  item,
  showBlock,
  paperMode,
  checked,
  onCheck,
}: {
  item: UnreadItem;
  showBlock: boolean;
  paperMode: boolean;
  checked: boolean;
  onCheck: (on: boolean) => void;
}) {
  const checkId = `signoff-${item.householdId}`;
  return (
    <li class={checked ? 'card unread-row selected' : 'card unread-row'} data-testid="unread-row" data-household-id={item.householdId}>
      {paperMode ? (
        <div class="check big-check">
          <input type="checkbox" id={checkId} checked={checked} onChange={(e) => onCheck(e.currentTarget.checked)} />
          <label for={checkId}>
            <strong>
              {item.householdNumber} {item.householdName}
            </strong>
            <span class="visually-hidden"> {t('circulars.unreadPage.signedOnPaper')}</span>
          </label>
        </div>
      ) : (
        <h3>
          {item.householdNumber} {item.householdName}
        </h3>
      )}
      {showBlock && <p class="muted">{item.blockName}</p>}
      <p>{item.address}</p>
      <p>
        <ChannelList channels={item.channels} />
      </p>
      <ResponderNotes notes={item.responderNotes} />
      <MemberPhones members={item.members} />
    </li>
  );
}
