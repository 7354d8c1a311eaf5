import { useState } from 'preact/hooks';
import { api, ApiError } from '../../../lib/api.js';
import { ErrorAlert, statusMessage } from '../../../ui/alerts.js';
import { FormActions } from '../../../ui/form-actions.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { TextField } from '../../../ui/fields.js';
import { useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';

/** Changing the password also logs out every other device (the server ends those sessions). */
export function PasswordPage() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState(false);
  const { submit: run, busy, error, setError } = useSubmit();
  useTitle(t('password.title'));

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    setDone(false);
    if (!current || !next) return setError(t('password.errors.missing'));
    if (next.length < 8) return setError(t('password.errors.short'));
    if (next !== confirm) return setError(t('password.errors.mismatch'));
    await run(async () => {
      try {
        await api.changePassword({ currentPassword: current, newPassword: next });
      } catch (err) {
        if (err instanceof ApiError && err.status === 400 && err.field === 'currentPassword') throw t('password.errors.wrong');
        throw statusMessage(err, { 429: t('password.errors.rateLimited') });
      }
      setDone(true);
      setCurrent('');
      setNext('');
      setConfirm('');
    });
  }

  return (
    <div class="narrow">
      <PageHeading>{t('password.title')}</PageHeading>
      <p>{t('password.intro')}</p>
      <form class="card form" data-testid="password-form" onSubmit={submit} noValidate>
        <TextField id="password-current" label={t('password.current')} type="password" value={current} onValue={setCurrent} autoComplete="current-password" required />
        <TextField id="password-new" label={t('password.new')} hint={t('password.newHint')} type="password" value={next} onValue={setNext} autoComplete="new-password" required />
        <TextField id="password-confirm" label={t('password.confirm')} type="password" value={confirm} onValue={setConfirm} autoComplete="new-password" required />
        <ErrorAlert error={error} />
        {done && (
          <p class="alert alert-success" role="status" data-testid="password-done">
            {t('password.done')}
          </p>
        )}
        <FormActions busy={busy} submitLabel={busy ? t('password.submitting') : t('password.submit')} />
      </form>
    </div>
  );
}
