import { useState } from 'preact/hooks';
import type { DirectoryAccountView } from '../../../../../server/src/contracts/directory-accounts.js';
import { api } from '../../../lib/api.js';
import { t } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { EmailField, TextField } from '../../../ui/fields.js';
import { FormActions } from '../../../ui/form-actions.js';

/** An organisation's (or a city editor's) sign-in; with an invitation code, setting its password first. */
export function DirectorySignIn({ initialCode, onSignedIn }: { initialCode: string; onSignedIn: (view: DirectoryAccountView) => void }) {
  const [code, setCode] = useState(initialCode);
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [joining, setJoining] = useState(initialCode !== '');
  const send = useSubmit(async () => onSignedIn(joining ? await api.directoryJoin({ code, password }) : await api.directoryLogin({ login, password })));
  return (
    <form class="card form" data-testid="directory-sign-in" onSubmit={(e) => { e.preventDefault(); void send.submit(); }}>
      <h2>{joining ? t('directory.organisation.join') : t('directory.organisation.signIn')}</h2>
      {joining
        ? <TextField id="dir-code" label={t('directory.organisation.code')} value={code} onValue={setCode} autoCapitalize="characters" required />
        : <EmailField id="dir-login" label={t('directory.organisation.login')} value={login} onValue={setLogin} autoComplete="username" required />}
      <TextField id="dir-password" type="password" label={joining ? t('directory.organisation.newPassword') : t('directory.organisation.password')} value={password} onValue={setPassword}
        autoComplete={joining ? 'new-password' : 'current-password'} required />
      <ErrorAlert error={send.error} />
      <FormActions busy={send.busy} submitLabel={joining ? t('directory.organisation.joinSubmit') : t('directory.organisation.signInSubmit')} />
      <button type="button" class="link" onClick={() => setJoining(!joining)}>{joining ? t('directory.organisation.haveLogin') : t('directory.organisation.haveCode')}</button>
    </form>
  );
}
