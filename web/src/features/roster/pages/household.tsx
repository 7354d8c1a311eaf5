import { useEffect, useState } from 'preact/hooks';
import type { BlockView, HouseholdDetail, PersonView } from '../../../../../server/src/contracts/http.js';
import { api, type Channel, type Language } from '../../../api.js';
import { ChannelCheckboxes, ChannelList } from '../../../ui/channels.js';
import { ErrorAlert, Loading, Notice } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { SelectField, TextField } from '../../../ui/fields.js';
import { languageName } from '../../../lib/format.js';
import { useAsync, useTitle } from '../../../lib/hooks.js';
import { LANGUAGES, t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useSocketEvent } from '../../../lib/socket.js';

export function HouseholdPage({ id }: { id: string }) {
  const session = useRequiredSession();
  const state = useAsync((signal) => api.household(id, signal), [id]);
  useSocketEvent('roster:changed', (event) => {
    if (event.householdIds === 'all' || event.householdIds.includes(id)) state.reload();
  });
  useTitle(state.data?.name ?? t('household.title'));
  const officer = session.roles.officer;
  const [editing, setEditing] = useState<PersonView | 'new' | null>(null);

  return (
    <div class="stack">
      <p class="no-print">
        <Link href={officer ? '/roster' : '/'}>{officer ? t('household.backToRoster') : t('household.backHome')}</Link>
      </p>
      <PageHeading>{state.data ? state.data.name : t('household.title')}</PageHeading>
      {state.error ? <ErrorAlert error={state.error} /> : null}
      {state.loading && !state.data && <Loading />}
      {state.data && (
        <>
          <p class="actions">
            <Link href={`/watch/households/${state.data.id}`} class="button secondary" data-testid="household-watch-link">
              {t('household.watchLink')}
            </Link>
          </p>
          <HouseholdView household={state.data} headingLevel={2} onEditMember={officer ? (p) => setEditing(p) : undefined} />
          {officer && (
            <>
              <section class="section" aria-labelledby="member-form-heading">
                <h2 id="member-form-heading">{t('person.sectionTitle')}</h2>
                {editing ? (
                  <PersonForm
                    key={editing === 'new' ? 'new' : editing.id}
                    householdId={state.data.id}
                    person={editing === 'new' ? null : editing}
                    onDone={(saved) => {
                      setEditing(null);
                      if (saved) state.reload();
                    }}
                  />
                ) : (
                  <button type="button" class="primary" onClick={() => setEditing('new')}>
                    {t('person.add')}
                  </button>
                )}
              </section>
              <HouseholdEditForm household={state.data} onSaved={(updated) => state.setData(() => updated)} />
            </>
          )}
        </>
      )}
    </div>
  );
}

export function HouseholdView({
  household,
  headingLevel,
  onEditMember,
}: {
  household: HouseholdDetail;
  headingLevel: 2 | 3;
  onEditMember?: (person: PersonView) => void;
}) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div class="stack household-view" data-testid="household-detail">
      <dl class="facts card">
        <div>
          <dt>{t('household.number')}</dt>
          <dd>{household.householdNumber}</dd>
        </div>
        <div>
          <dt>{t('household.name')}</dt>
          <dd>{household.name}</dd>
        </div>
        <div>
          <dt>{t('household.address')}</dt>
          <dd>{household.address}</dd>
        </div>
        <div>
          <dt>{t('household.block')}</dt>
          <dd>{household.blockName}</dd>
        </div>
        <div>
          <dt>{t('household.channels')}</dt>
          <dd>
            <ChannelList channels={household.channels} />
          </dd>
        </div>
        <div>
          <dt>{t('household.responderNotes')}</dt>
          <dd class="notes">{household.responderNotes || <span class="muted">{t('common.none')}</span>}</dd>
        </div>
      </dl>

      <H>{t('household.members')}</H>
      {household.members.length === 0 ? (
        <p>{t('household.noMembers')}</p>
      ) : (
        <div class="table-wrap">
          <table class="stacked">
            <thead>
              <tr>
                <th scope="col">{t('person.name')}</th>
                <th scope="col">{t('person.kana')}</th>
                <th scope="col">{t('person.phone')}</th>
                <th scope="col">{t('person.email')}</th>
                <th scope="col">{t('person.language')}</th>
                <th scope="col">{t('person.account')}</th>
                {onEditMember && <th scope="col">{t('common.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {household.members.map((person) => (
                <tr key={person.id} data-testid="member-row">
                  <td data-label={t('person.name')}>{person.name}</td>
                  <td data-label={t('person.kana')}>{person.kana}</td>
                  <td data-label={t('person.phone')}>
                    {person.phone ? <a href={`tel:${person.phone}`}>{person.phone}</a> : <span class="muted">—</span>}
                  </td>
                  <td data-label={t('person.email')}>
                    {person.email ? <a href={`mailto:${person.email}`}>{person.email}</a> : <span class="muted">—</span>}
                  </td>
                  <td data-label={t('person.language')}>{languageName(person.preferredLanguage)}</td>
                  <td data-label={t('person.account')}>{person.hasAccount ? t('person.hasAccount') : t('person.noAccount')}</td>
                  {onEditMember && (
                    <td data-label={t('common.actions')}>
                      <button
                        type="button"
                        class="secondary small"
                        aria-label={t('person.editNamed', { name: person.name })}
                        onClick={() => onEditMember(person)}
                      >
                        {t('person.edit')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {household.devices.length > 0 && (
        <>
          <H>{t('household.devices')}</H>
          <ul class="plain">
            {household.devices.map((device) => (
              <li key={device.id}>
                <span class={device.online ? 'status online' : 'status offline'} aria-hidden="true">
                  {device.online ? '●' : '○'}
                </span>{' '}
                {device.label} ({device.online ? t('devices.online') : t('devices.offline')})
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function HouseholdEditForm({ household, onSaved }: { household: HouseholdDetail; onSaved: (updated: HouseholdDetail) => void }) {
  const blocks = useAsync(() => api.blocks(), []);
  const [form, setForm] = useState(() => fromHousehold(household));
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  // Someone else changed it (roster:changed refetch): take the new values.
  useEffect(() => setForm(fromHousehold(household)), [household]);

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    setSaved(false);
    if (form.channels.length === 0) return setError(t('household.errors.channels'));
    setBusy(true);
    try {
      const updated = await api.updateHousehold(household.id, {
        householdNumber: form.householdNumber.trim(),
        name: form.name.trim(),
        address: form.address.trim(),
        blockId: form.blockId,
        channels: form.channels,
        responderNotes: form.responderNotes,
      });
      setSaved(true);
      onSaved(updated);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="section" aria-labelledby="household-edit-heading">
      <h2 id="household-edit-heading">{t('household.editTitle')}</h2>
      <form class="card form" data-testid="household-form" onSubmit={submit} noValidate>
        <HouseholdFields idPrefix="hh-edit" form={form} setForm={setForm} blocks={blocks.data?.items ?? []} />
        {error ? typeof error === 'string' ? <ErrorAlert message={error} /> : <ErrorAlert error={error} /> : null}
        {saved && <Notice>{t('household.saved')}</Notice>}
        <button type="submit" class="primary" disabled={busy}>
          {t('household.save')}
        </button>
      </form>
    </section>
  );
}

export interface HouseholdFormState {
  householdNumber: string;
  name: string;
  address: string;
  blockId: string;
  channels: Channel[];
  responderNotes: string;
}

function fromHousehold(household: HouseholdDetail): HouseholdFormState {
  return {
    householdNumber: household.householdNumber,
    name: household.name,
    address: household.address,
    blockId: household.blockId,
    channels: household.channels,
    responderNotes: household.responderNotes,
  };
}

export function HouseholdFields({
  idPrefix,
  form,
  setForm,
  blocks,
}: {
  idPrefix: string;
  form: HouseholdFormState;
  setForm: (update: (previous: HouseholdFormState) => HouseholdFormState) => void;
  blocks: BlockView[];
}) {
  const set = <K extends keyof HouseholdFormState>(key: K) => (value: HouseholdFormState[K]) =>
    setForm((previous) => ({ ...previous, [key]: value }));
  const blockOptions = blocks.map((block) => ({ value: block.id, label: block.name }));
  if (!form.blockId) blockOptions.unshift({ value: '', label: t('common.choose') });
  return (
    <>
      <TextField id={`${idPrefix}-number`} label={t('household.number')} value={form.householdNumber} onValue={set('householdNumber')} required />
      <TextField id={`${idPrefix}-name`} label={t('household.name')} value={form.name} onValue={set('name')} required />
      <TextField id={`${idPrefix}-address`} label={t('household.address')} value={form.address} onValue={set('address')} required />
      <SelectField id={`${idPrefix}-block`} label={t('household.block')} value={form.blockId} onValue={set('blockId')} options={blockOptions} required />
      <ChannelCheckboxes idPrefix={`${idPrefix}-channel`} value={form.channels} onValue={set('channels')} />
      <div class="field">
        <label for={`${idPrefix}-notes`}>{t('household.responderNotes')}</label>
        <p class="hint" id={`${idPrefix}-notes-hint`}>
          {t('household.responderNotesHint')}
        </p>
        <textarea
          id={`${idPrefix}-notes`}
          rows={3}
          maxLength={1000}
          value={form.responderNotes}
          aria-describedby={`${idPrefix}-notes-hint`}
          onInput={(event) => set('responderNotes')(event.currentTarget.value)}
        />
      </div>
    </>
  );
}

function PersonForm({
  householdId,
  person,
  onDone,
}: {
  householdId: string;
  person: PersonView | null;
  onDone: (saved: boolean) => void;
}) {
  const [name, setName] = useState(person?.name ?? '');
  const [kana, setKana] = useState(person?.kana ?? '');
  const [phone, setPhone] = useState(person?.phone ?? '');
  const [email, setEmail] = useState(person?.email ?? '');
  const [language, setLanguage] = useState<Language>(person?.preferredLanguage ?? 'ja');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    if (!name.trim()) return setError(t('person.errors.name'));
    const fields = {
      name: name.trim(),
      kana: kana.trim(),
      phone: phone.trim() ? phone.trim() : null,
      email: email.trim() ? email.trim() : null,
      preferredLanguage: language,
    };
    setBusy(true);
    try {
      if (person) await api.updatePerson(person.id, fields);
      else await api.createPerson({ ...fields, householdId });
      onDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card form" data-testid="person-form" onSubmit={submit} noValidate>
      <h3>{person ? t('person.editTitle', { name: person.name }) : t('person.addTitle')}</h3>
      <TextField id="person-name" label={t('person.name')} value={name} onValue={setName} required autoComplete="off" />
      <TextField id="person-kana" label={t('person.kana')} value={kana} onValue={setKana} autoComplete="off" />
      <TextField id="person-phone" label={t('person.phone')} type="tel" value={phone} onValue={setPhone} autoComplete="off" />
      <TextField
        id="person-email"
        label={t('person.email')}
        type="email"
        value={email}
        onValue={setEmail}
        autoComplete="off"
        autoCapitalize="off"
        spellcheck={false}
      />
      <SelectField
        id="person-language"
        label={t('person.language')}
        value={language}
        onValue={(value) => setLanguage(LANGUAGES.find((l) => l === value) ?? 'ja')}
        options={LANGUAGES.map((l) => ({ value: l, label: languageName(l) }))}
      />
      {error ? typeof error === 'string' ? <ErrorAlert message={error} /> : <ErrorAlert error={error} /> : null}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {person ? t('person.save') : t('person.create')}
        </button>
        <button type="button" class="secondary" onClick={() => onDone(false)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
