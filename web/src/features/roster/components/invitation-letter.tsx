import type { PasscodeItem } from '../../../../../server/src/contracts/roster.js';
import type { Language } from '../../../lib/api.js';
import { tIn } from '../../../lib/i18n.js';
import { PasscodeQr } from './passcode-qr.js';

/**
 * One household's invitation letter, for an A4 page (or half of one): who we are, why, the QR
 * code and passcode in large characters, the join address, what happens without a
 * smartphone, and the help-desk line the officer typed. Written in one language for print.
 */
export function InvitationLetter({
  item,
  associationName,
  helpDesk,
  language,
}: {
  item: PasscodeItem;
  associationName: string;
  helpDesk: string;
  language: Language;
}) {
  const tr = (key: string, options?: Record<string, unknown>) => tIn(language, `letters.letter.${key}`, options);
  return (
    <article class="invitation-letter" data-testid="invitation-letter" lang={language === 'en' ? 'en' : 'ja'}>
      <header class="passcode-head">
        <span>{item.blockName}</span>
        <span>
          {tIn(language, 'passcodes.card.number')} {item.householdNumber}
        </span>
      </header>
      <p class="letter-addressee">{tIn(language, 'passcodes.card.addressee', { name: item.householdName })}</p>
      <h2 class="letter-title">{tr('title')}</h2>
      <p class="letter-from">{tr('from', { association: associationName })}</p>
      <p>{tr('who', { association: associationName })}</p>
      <p>{tr('why')}</p>
      <h3>{tr('stepsTitle')}</h3>
      <ol class="letter-steps">
        <li>{tr('step1')}</li>
        <li>{tr('step2')}</li>
        <li>{tr('step3')}</li>
      </ol>
      <PasscodeQr item={item} language={language} size="large" />
      <p class="letter-url">
        {tr('url')} <span translate={false}>{item.joinUrl}</span>
      </p>
      <p class="letter-family">{tr('family')}</p>
      <h3>{tr('noPhoneTitle')}</h3>
      <p>{tr('noPhone')}</p>
      {helpDesk.trim() && (
        <div class="letter-help-desk" data-testid="letter-help-desk">
          <h3>{tr('helpDesk')}</h3>
          <p>{helpDesk}</p>
        </div>
      )}
    </article>
  );
}
