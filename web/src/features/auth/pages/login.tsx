import { useState } from 'preact/hooks';
import { api } from '../../../lib/api.js';
import { ErrorAlert, statusMessage } from '../../../ui/alerts.js';
import { FormActions } from '../../../ui/form-actions.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { TextField } from '../../../ui/fields.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate, useLocation } from '../../../lib/router.js';
import { useSession } from '../../../lib/session.js';
import { useSubmit } from '../../../lib/use-submit.js';

export function LoginPage() {
  const { setSession } = useSession();
  const location = useLocation();
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const { submit: run, busy, error, setError } = useSubmit();
  useTitle(t('login.title'));

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    if (!identifier.trim() || !password) return setError(t('login.errors.missing'));
    await run(async () => {
      try {
        setSession(await api.login({ identifier: identifier.trim(), password }));
      } catch (err) {
        setPassword('');
        throw statusMessage(err, { 401: t('login.errors.invalid'), 429: t('login.errors.rateLimited') });
      }
      const next = location.search.get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    });
  }

  return (
    <div class="narrow">
      <PageHeading>{t('login.title')}</PageHeading>
      <p>{t('login.intro')}</p>
      <form class="card form" data-testid="login-form" onSubmit={submit} noValidate>
        <TextField
          id="login-identifier"
          label={t('login.identifier')}
          value={identifier}
          onValue={setIdentifier}
          autoComplete="username"
          inputMode="email"
          autoCapitalize="off"
          spellcheck={false}
          required
        />
        <TextField id="login-password" label={t('login.password')} type="password" value={password} onValue={setPassword} autoComplete="current-password" required />
        <ErrorAlert error={error} />
        <FormActions busy={busy} submitLabel={busy ? t('login.submitting') : t('login.submit')} />
      </form>
      <p class="card subtle" data-testid="forgot-password">
        {t('login.forgotPassword')} <Link href="/reset">{t('login.resetLink')}</Link>
      </p>
      <p class="card subtle">
        {t('login.joinPrompt')} <Link href="/join">{t('login.joinLink')}</Link>
      </p>
      <p class="card subtle">
        {t('login.helpPrompt')} <Link href="/help">{t('login.helpLink')}</Link>
      </p>
    </div>
  );
}
