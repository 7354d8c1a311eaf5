import { useState } from 'preact/hooks';
import { api, ApiError } from '../../../lib/api.js';
import { ErrorAlert, errorMessage } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { TextField } from '../../../ui/fields.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate, useLocation } from '../../../lib/router.js';
import { useSession } from '../../../lib/session.js';

export function LoginPage() {
  const { setSession } = useSession();
  const location = useLocation();
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useTitle(t('login.title'));

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    if (!identifier.trim() || !password) {
      setError(t('login.errors.missing'));
      return;
    }
    setBusy(true);
    try {
      const session = await api.login({ identifier: identifier.trim(), password });
      setSession(session);
      const next = location.search.get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t('login.errors.invalid'));
      else if (err instanceof ApiError && err.status === 429) setError(t('login.errors.rateLimited'));
      else setError(errorMessage(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
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
        <TextField
          id="login-password"
          label={t('login.password')}
          type="password"
          value={password}
          onValue={setPassword}
          autoComplete="current-password"
          required
        />
        {error && <ErrorAlert message={error} />}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
      <p class="card subtle">
        {t('login.joinPrompt')} <Link href="/join">{t('login.joinLink')}</Link>
      </p>
    </div>
  );
}
