import { useState } from 'preact/hooks';
import type { PersonView } from '../../../../../server/src/contracts/roster.js';
import type { ResetCodeIssued } from '../../../../../server/src/contracts/auth.js';
import { api, ApiError } from '../../../lib/api.js';
import { ErrorAlert, statusMessage } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { TextField } from '../../../ui/fields.js';
import { t, tIn } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { PasscodeQr } from './passcode-qr.js';

/**
 * Forgotten passwords: an officer issues a one-time reset code for a member who has a login.
 * First a confirmation (a new code voids the person's older one; setting the password logs
 * them out everywhere) where the officer re-enters their own password (a stolen session
 * alone issues nothing), then the slip, shown once: on screen and printable, with the QR code
 * of /reset?code=… (the server keeps only the code's hash and cannot show it again).
 */
export function ResetCodeConfirm({ person, onIssued, onCancel }: { person: PersonView; onIssued: (issued: ResetCodeIssued) => void; onCancel: () => void }) {
  const [password, setPassword] = useState('');
  const { submit: run, busy, error, setError } = useSubmit();
  const issue = async (event: Event) => {
    event.preventDefault();
    setError(null);
    if (!password) return setError(t('resetCode.errors.passwordMissing'));
    await run(async () => {
      const issued = await api.issueResetCode(person.id, { password }).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 400 && err.field === 'password') throw t('resetCode.errors.wrongPassword');
        throw statusMessage(err, { 403: t('resetCode.errors.forbidden'), 409: t('resetCode.errors.noLogin'), 429: t('password.errors.rateLimited') });
      });
      setPassword('');
      onIssued(issued);
    });
  };
  return (
    <section class="section card stack no-print" aria-labelledby="reset-code-heading" data-testid="reset-code-confirm">
      <h2 id="reset-code-heading">{t('resetCode.confirmTitle', { name: person.name })}</h2>
      <p>{t('resetCode.confirmBody')}</p>
      <form class="form stack" onSubmit={(event) => void issue(event)} noValidate>
        <TextField
          id="reset-code-own-password"
          label={t('resetCode.ownPassword')}
          hint={t('resetCode.ownPasswordHint')}
          type="password"
          value={password}
          onValue={setPassword}
          autoComplete="current-password"
          required
        />
        <ErrorAlert error={error} />
        <p class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {t('resetCode.issue')}
          </button>
          <button type="button" class="secondary" disabled={busy} onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </p>
      </form>
    </section>
  );
}

export function ResetCodeSlip({ issued, associationName, onDone }: { issued: ResetCodeIssued; associationName: string; onDone: () => void }) {
  return (
    <div class="stack" data-testid="reset-code-slip-screen">
      <div class="no-print stack">
        <PageHeading>{t('resetCode.slipTitle', { name: issued.personName })}</PageHeading>
        <p class="alert alert-warning" role="status">{t('resetCode.shownOnce')}</p>
        <p class="actions">
          <button type="button" class="primary" onClick={() => window.print()}>
            {t('resetCode.print')}
          </button>
          <button type="button" class="secondary" onClick={onDone}>
            {t('resetCode.done')}
          </button>
        </p>
      </div>
      <article class="passcode-card reset-slip" data-testid="reset-code-slip">
        <header class="passcode-head">
          <span>{associationName}</span>
          <span>{tIn('ja', 'resetCode.slip.kind')}</span>
        </header>
        <h2 class="passcode-name">{tIn('ja', 'passcodes.card.addressee', { name: issued.personName })}</h2>
        <PasscodeQr item={issued} labels="resetCode.slip" language="ja" withTime size="large" />
        <p class="passcode-url" translate={false} data-testid="reset-code-url">
          {issued.resetUrl}
        </p>
        <div class="passcode-instructions">
          <p lang="ja">{tIn('ja', 'resetCode.slip.instructions')}</p>
          <p lang="en">{tIn('en', 'resetCode.slip.instructions')}</p>
        </div>
      </article>
    </div>
  );
}
