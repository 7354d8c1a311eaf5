import { useState } from 'preact/hooks';
import type { JoinLookupResponse, JoinRequest } from '../../../../../server/src/contracts/http.js';
import { api, ApiError, type Language } from '../../../lib/api.js';
import { ErrorAlert, errorMessage } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { SelectField, TextField } from '../../../ui/fields.js';
import { languageName } from '../../../lib/format.js';
import { useTitle } from '../../../lib/hooks.js';
import { LANGUAGES, applyLanguage, currentLanguage, t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';
import { useSession } from '../../../lib/session.js';

const NOT_LISTED = '__not_listed__';

function normaliseCode(value: string): string {
  return value
    .replace(/[Ａ-Ｚａ-ｚ０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .toUpperCase()
    .replace(/[\s-]/g, '');
}

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
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    const normalised = normaliseCode(code);
    if (!/^[A-Z0-9]{8}$/.test(normalised)) {
      setError(t('join.errors.codeFormat'));
      return;
    }
    setBusy(true);
    try {
      onFound(await api.joinLookup(normalised));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 400)) setError(t('join.errors.codeNotFound'));
      else if (err instanceof ApiError && err.status === 429) setError(t('errors.rateLimited'));
      else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
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
      {error && <ErrorAlert message={error} />}
      <button type="submit" class="primary" disabled={busy}>
        {t('join.next')}
      </button>
    </form>
  );
}

function DetailsStep({ code, lookup, onBack }: { code: string; lookup: JoinLookupResponse; onBack: () => void }) {
  const { setSession } = useSession();
  // Nobody is preselected: people must pick themselves, not a family member by accident.
  const [who, setWho] = useState<string>(lookup.members.some((member) => !member.hasAccount) ? '' : NOT_LISTED);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [password2, setPassword2] = useState('');
  const [language, setLanguage] = useState<Language>(currentLanguage());
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    if (!who) return setError(t('join.errors.who'));
    if (who === NOT_LISTED && !name.trim()) return setError(t('join.errors.name'));
    if (!email.trim() && !phone.trim()) return setError(t('join.errors.contact'));
    if (password.length < 8) return setError(t('join.errors.passwordShort'));
    if (password !== password2) return setError(t('join.errors.passwordMismatch'));

    const body: JoinRequest = { code: normaliseCode(code), password, preferredLanguage: language };
    if (who === NOT_LISTED) body.name = name.trim();
    else body.personId = who;
    if (email.trim()) body.email = email.trim();
    if (phone.trim()) body.phone = phone.trim();

    setBusy(true);
    try {
      const session = await api.join(body);
      setSession(session);
      navigate('/', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setError(t('join.errors.conflict'));
      else if (err instanceof ApiError && err.status === 404) setError(t('join.errors.codeNotFound'));
      else setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card form" data-testid="join-details-step" onSubmit={submit} noValidate>
      <h2>{t('join.step2')}</h2>
      <dl class="facts" data-testid="join-household">
        <div>
          <dt>{t('join.household')}</dt>
          <dd>{lookup.household.name}</dd>
        </div>
        <div>
          <dt>{t('join.block')}</dt>
          <dd>{lookup.household.blockName}</dd>
        </div>
      </dl>

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
        <TextField id="join-name" label={t('join.name')} value={name} onValue={setName} autoComplete="name" required />
      )}

      <p class="hint">{t('join.contactHint')}</p>
      <TextField
        id="join-email"
        label={t('join.email')}
        type="email"
        value={email}
        onValue={setEmail}
        autoComplete="email"
        autoCapitalize="off"
        spellcheck={false}
      />
      <TextField id="join-phone" label={t('join.phone')} type="tel" value={phone} onValue={setPhone} autoComplete="tel" />
      <TextField
        id="join-password"
        label={t('join.password')}
        hint={t('join.passwordHint')}
        type="password"
        value={password}
        onValue={setPassword}
        autoComplete="new-password"
        minLength={8}
        required
      />
      <TextField
        id="join-password2"
        label={t('join.password2')}
        type="password"
        value={password2}
        onValue={setPassword2}
        autoComplete="new-password"
        required
      />
      <SelectField
        id="join-language"
        label={t('join.language')}
        value={language}
        onValue={(value) => {
          const next = LANGUAGES.find((l) => l === value) ?? 'ja';
          setLanguage(next);
          applyLanguage(next);
        }}
        options={LANGUAGES.map((l) => ({ value: l, label: languageName(l) }))}
      />
      {error ? typeof error === 'string' ? <ErrorAlert message={error} /> : <ErrorAlert error={error} /> : null}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {t('join.submit')}
        </button>
        <button type="button" class="secondary" onClick={onBack}>
          {t('join.back')}
        </button>
      </div>
    </form>
  );
}
