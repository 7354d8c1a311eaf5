import { useState } from 'preact/hooks';
import type { JoinLookupResponse, JoinRequest } from '../../../../../server/src/contracts/auth.js';
import { api, ApiError, type Language } from '../../../lib/api.js';
import { ErrorAlert, statusMessage } from '../../../ui/alerts.js';
import { Facts } from '../../../ui/facts.js';
import { FormActions } from '../../../ui/form-actions.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { EmailField, LanguageField, TextField } from '../../../ui/fields.js';
import { useTitle } from '../../../lib/hooks.js';
import { applyLanguage, currentLanguage, t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';
import { useSession } from '../../../lib/session.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { normaliseCode } from '../../../lib/one-time-code.js';

const NOT_LISTED = '__not_listed__';

export function JoinPage({ initialCode }: { initialCode: string }) {
  const [code, setCode] = useState(normaliseCode(initialCode));
  const [lookup, setLookup] = useState<JoinLookupResponse | null>(null);
  useTitle(t('join.title'));

  return (
    <div class="narrow" data-testid="join-form">
      <PageHeading>{t('join.title')}</PageHeading>
      <ol class="steps" aria-label={t('join.stepsLabel')}>
        <li aria-current={lookup ? undefined : 'step'}>{t('join.step1')}</li>
        <li aria-current={lookup ? 'step' : undefined}>{t('join.step2')}</li>
      </ol>
      {lookup ? (
        <DetailsStep code={code} lookup={lookup} onBack={() => setLookup(null)} />
      ) : (
        <CodeStep code={code} setCode={setCode} onFound={setLookup} />
      )}
      <p class="subtle">
        {t('join.haveAccount')} <Link href="/login">{t('join.loginLink')}</Link>
      </p>
    </div>
  );
}

function CodeStep({
  code,
  setCode,
  onFound,
}: {
  code: string;
  setCode: (code: string) => void;
  onFound: (lookup: JoinLookupResponse) => void;
}) {
  const { submit: run, busy, error, setError } = useSubmit();

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    const normalised = normaliseCode(code);
    if (!/^[A-Z0-9]{8}$/.test(normalised)) return setError(t('join.errors.codeFormat'));
    await run(async () => {
      const notFound = t('join.errors.codeNotFound');
      const lookup = await api.joinLookup(normalised).catch((err: unknown) => {
        throw statusMessage(err, { 404: notFound, 400: notFound, 429: t('errors.rateLimited') });
      });
      onFound(lookup);
    });
  }

  return (
    <form class="card form" data-testid="join-code-step" onSubmit={submit} noValidate>
      <h2>{t('join.step1')}</h2>
      <TextField
        id="join-code"
        label={t('join.code')}
        hint={t('join.codeHint')}
        value={code}
        onValue={(value) => setCode(value.toUpperCase())}
        autoComplete="off"
        autoCapitalize="characters"
        spellcheck={false}
        maxLength={12}
        class="code-input"
        required
      />
      <ErrorAlert error={error} />
      <FormActions busy={busy} submitLabel={t('join.next')} />
    </form>
  );
}

function DetailsStep({ code, lookup, onBack }: { code: string; lookup: JoinLookupResponse; onBack: () => void }) {
  const { setSession } = useSession();
  // Nobody is preselected: people must pick themselves, not a family member by accident.
  const [who, setWho] = useState<string>(lookup.members.some((member) => !member.hasAccount) ? '' : NOT_LISTED);
  const [name, setName] = useState('');
  const [livesElsewhere, setLivesElsewhere] = useState(false);
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [password2, setPassword2] = useState('');
  const [language, setLanguage] = useState<Language>(currentLanguage());
  const { submit: run, busy, error, setError } = useSubmit();
  // The form itself switches to the language chosen, so people read the rest in it.
  const chooseLanguage = (next: Language) => {
    setLanguage(next);
    applyLanguage(next);
  };

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    if (!who) return setError(t('join.errors.who'));
    if (who === NOT_LISTED && !name.trim()) return setError(t('join.errors.name'));
    if (!email.trim() && !phone.trim()) return setError(t('join.errors.contact'));
    if (password.length < 8) return setError(t('join.errors.passwordShort'));
    if (password !== password2) return setError(t('join.errors.passwordMismatch'));

    const body: JoinRequest = { code: normaliseCode(code), password, preferredLanguage: language };
    if (who === NOT_LISTED) {
      body.name = name.trim();
      if (livesElsewhere) body.livesElsewhere = true;
    }
    else body.personId = who;
    if (email.trim()) body.email = email.trim();
    if (phone.trim()) body.phone = phone.trim();

    await run(async () => {
      const session = await api.join(body).catch((err: unknown) => {
        const full = err instanceof ApiError && err.code === 'household_full';
        const byStatus: Partial<Record<number, string>> = { 409: full ? t('join.errors.full') : t('join.errors.conflict'), 404: t('join.errors.codeNotFound') };
        // Other failures keep the API error itself, so its issues are listed.
        throw err instanceof ApiError && byStatus[err.status] ? byStatus[err.status] : err;
      });
      setSession(session);
      navigate('/', { replace: true });
    });
  }

  return (
    <form class="card form" data-testid="join-details-step" onSubmit={submit} noValidate>
      <h2>{t('join.step2')}</h2>
      <Facts
        testid="join-household"
        facts={[
          { label: t('join.household'), value: lookup.household.name },
          { label: t('join.block'), value: lookup.household.blockName },
        ]}
      />

      <fieldset class="field radio-group">
        <legend>{t('join.who')}</legend>
        {lookup.members.map((member) => (
          <div class="check" key={member.id}>
            <input
              type="radio"
              name="join-who"
              id={`join-who-${member.id}`}
              value={member.id}
              checked={who === member.id}
              disabled={member.hasAccount}
              onChange={() => setWho(member.id)}
            />
            <label for={`join-who-${member.id}`}>
              {member.name}
              {member.hasAccount && <span class="muted"> （{t('join.alreadyRegistered')}）</span>}
            </label>
          </div>
        ))}
        <div class="check">
          <input
            type="radio"
            name="join-who"
            id="join-who-not-listed"
            value={NOT_LISTED}
            checked={who === NOT_LISTED}
            onChange={() => setWho(NOT_LISTED)}
          />
          <label for="join-who-not-listed">{t('join.notListed')}</label>
        </div>
      </fieldset>
      {who === NOT_LISTED && (
        <>
          <TextField id="join-name" label={t('join.name')} value={name} onValue={setName} autoComplete="name" required />
          <div class="check">
            <input type="checkbox" id="join-lives-elsewhere" checked={livesElsewhere} onChange={(event) => setLivesElsewhere(event.currentTarget.checked)} />
            <label for="join-lives-elsewhere">{t('join.livesElsewhere')}</label>
          </div>
          <p class="hint">{t('join.livesElsewhereHint')}</p>
        </>
      )}
      {lookup.loginsLeft === 0 && <p class="alert alert-error" data-testid="join-full">{t('join.errors.full')}</p>}

      <p class="hint">{t('join.contactHint')}</p>
      <EmailField id="join-email" label={t('join.email')} value={email} onValue={setEmail} autoComplete="email" />
      <TextField id="join-phone" label={t('join.phone')} type="tel" value={phone} onValue={setPhone} autoComplete="tel" />
      <TextField id="join-password" label={t('join.password')} hint={t('join.passwordHint')} type="password" value={password} onValue={setPassword} autoComplete="new-password" minLength={8} required />
      <TextField id="join-password2" label={t('join.password2')} type="password" value={password2} onValue={setPassword2} autoComplete="new-password" required />
      <LanguageField
        id="join-language"
        label={t('join.language')}
        value={language}
        onValue={chooseLanguage}
      />
      <ErrorAlert error={error} />
      <FormActions busy={busy} submitLabel={t('join.submit')} cancelLabel={t('join.back')} onCancel={onBack} />
    </form>
  );
}
