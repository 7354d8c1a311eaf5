import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../../lib/api.js';
import { ErrorAlert, statusMessage } from '../../../ui/alerts.js';
import { FormActions } from '../../../ui/form-actions.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { TextField } from '../../../ui/fields.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';
import { useSession } from '../../../lib/session.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { normaliseCode } from '../../../lib/one-time-code.js';

/**
 * A new password with the one-time reset code an officer gave (a slip's QR code opens this
 * page with ?code=…). As after joining, the person is then logged in here; every other
 * device of theirs is logged out by the server.
 */
export function ResetPage({ initialCode }: { initialCode: string }) {
  const { setSession } = useSession();
  const [code, setCode] = useState(normaliseCode(initialCode));
  const [password, setPassword] = useState('');
  const [password2, setPassword2] = useState('');
  const { submit: run, busy, error, setError } = useSubmit();
  useTitle(t('reset.title'));
  // The code is read once into the form: out of the address bar, it stays out of the history,
  // bookmarks and a screenshot of the address. The router need not hear of it (same page).
  useEffect(() => {
    const url = new URL(window.location.href);
    if (!url.searchParams.has('code')) return;
    url.searchParams.delete('code');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    const normalised = normaliseCode(code);
    if (!/^[A-Z0-9]{8}$/.test(normalised)) return setError(t('reset.errors.codeFormat'));
    if (password.length < 8) return setError(t('reset.errors.passwordShort'));
    if (password !== password2) return setError(t('reset.errors.passwordMismatch'));
    await run(async () => {
      const session = await api.resetPassword({ code: normalised, newPassword: password }).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 400 && err.field === 'code') throw t('reset.errors.codeInvalid');
        throw statusMessage(err, { 429: t('errors.rateLimited') });
      });
      setSession(session);
      navigate('/', { replace: true });
    });
  }

  return (
    <div class="narrow">
      <PageHeading>{t('reset.title')}</PageHeading>
      <p>{t('reset.intro')}</p>
      <form class="card form" data-testid="reset-form" onSubmit={submit} noValidate>
        <TextField
          id="reset-code"
          label={t('reset.code')}
          hint={t('reset.codeHint')}
          value={code}
          onValue={(value) => setCode(value.toUpperCase())}
          autoComplete="one-time-code"
          autoCapitalize="characters"
          spellcheck={false}
          maxLength={12}
          class="code-input"
          required
        />
        <TextField id="reset-password" label={t('reset.password')} hint={t('reset.passwordHint')} type="password" value={password} onValue={setPassword} autoComplete="new-password" minLength={8} required />
        <TextField id="reset-password2" label={t('reset.password2')} type="password" value={password2} onValue={setPassword2} autoComplete="new-password" required />
        <ErrorAlert error={error} />
        <FormActions busy={busy} submitLabel={busy ? t('reset.submitting') : t('reset.submit')} />
      </form>
      <p class="subtle">
        {t('reset.noCode')} <Link href="/login">{t('reset.loginLink')}</Link>
      </p>
    </div>
  );
}
