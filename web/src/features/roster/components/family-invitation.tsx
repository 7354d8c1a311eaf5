import { useState } from 'preact/hooks';
import type { PasscodeItem } from '../../../../../server/src/contracts/roster.js';
import { HOUSEHOLD_LOGIN_LIMIT } from '../../../../../server/src/contracts/auth.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { t } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { PasscodeQr } from './passcode-qr.js';

/**
 * Invite family living elsewhere: a one-time code (and QR) to send them, so they join the
 * household with their own login and can answer for it. For the household's members and officers.
 */
export function FamilyInvitation({ householdId }: { householdId: string }) {
  const [item, setItem] = useState<PasscodeItem | null>(null);
  const { submit: run, busy, error } = useSubmit();
  return (
    <section class="section no-print" aria-labelledby="family-invitation-heading" data-testid="family-invitation">
      <h2 id="family-invitation-heading">{t('family.title')}</h2>
      <p>{t('family.intro', { limit: HOUSEHOLD_LOGIN_LIMIT })}</p>
      <button type="button" class="secondary" disabled={busy} onClick={() => void run(async () => setItem(await api.familyInvitation(householdId)))}>
        {item ? t('family.again') : t('family.create')}
      </button>
      <ErrorAlert error={error} />
      {item && (
        <div class="card stack">
          <p>{t('family.send')}</p>
          <PasscodeQr item={item} />
          <p class="passcode-url" translate={false} data-testid="family-invitation-url">
            {item.joinUrl}
          </p>
        </div>
      )}
    </section>
  );
}
