import { useState } from 'preact/hooks';
import type { z } from 'zod';
import type { directoryInvitationSchema } from '../../../../../server/src/contracts/directory-accounts.js';
import { api } from '../../../lib/api.js';
import { formatDateTime } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { EmailField, TextField } from '../../../ui/fields.js';
import { FormActions } from '../../../ui/form-actions.js';

type Invite = typeof api.inviteOrganisation;

/** Invites an organisation to keep its own entries (`invite`: the officers', or the city editor's): shows the one-time code and link to print or send. */
export function InviteForm({ invite: send = api.inviteOrganisation }: { invite?: Invite }) {
  const [organisation, setOrganisation] = useState('');
  const [login, setLogin] = useState('');
  const [invitation, setInvitation] = useState<z.infer<typeof directoryInvitationSchema> | null>(null);
  const invite = useSubmit(async () => setInvitation(await send({ organisation, login })));
  return (
    <div class="card stack" data-testid="directory-invite">
      <form class="form" onSubmit={(e) => { e.preventDefault(); void invite.submit(); }}>
        <TextField id="invite-organisation" label={t('directory.invite.organisation')} value={organisation} onValue={setOrganisation} required />
        <EmailField id="invite-login" label={t('directory.invite.login')} value={login} onValue={setLogin} required />
        <ErrorAlert error={invite.error} />
        <FormActions busy={invite.busy} submitLabel={t('directory.invite.submit')} />
      </form>
      {invitation && (
        <div class="notice" data-testid="directory-invitation">
          <p>{t('directory.invite.done', { organisation: invitation.organisation, login: invitation.login })}</p>
          <p class="passcode">{invitation.code}</p>
          <p><a href={invitation.url}>{invitation.url}</a></p>
          <p class="hint">{t('directory.invite.expires', { at: formatDateTime(invitation.expiresAt) })}</p>
        </div>
      )}
    </div>
  );
}
