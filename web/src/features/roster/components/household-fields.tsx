import { useEffect, useState } from 'preact/hooks';
import type { BlockView, HouseholdDetail } from '../../../../../server/src/contracts/roster.js';
import { api, type Channel } from '../../../lib/api.js';
import { ChannelCheckboxes } from '../../../ui/channels.js';
import { ErrorAlert, Notice } from '../../../ui/alerts.js';
import { SelectField, TextField } from '../../../ui/fields.js';
import { FormActions } from '../../../ui/form-actions.js';
import { FormField } from '../../../ui/form-field.js';
import { useAsync } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';

/**
 * Edits a household. Officers change everything; the household itself (`officer` false) keeps
 * its name, address, channels and notes current, but its 班 and 世帯番号 are the officers' (the
 * server refuses them), so those fields are neither shown nor sent.
 */
export function HouseholdEditForm({ household, onSaved, officer = true }: { household: HouseholdDetail; onSaved: (updated: HouseholdDetail) => void; officer?: boolean }) {
  // The 班 list is only needed (and only readable) for the officers' 班 field.
  const blocks = useAsync(() => (officer ? api.blocks() : Promise.resolve({ items: [] as BlockView[] })), [officer]);
  const [form, setForm] = useState(() => fromHousehold(household));
  const { submit: run, busy, error, setError } = useSubmit();
  const [saved, setSaved] = useState(false);

  // Someone else changed it (roster:changed refetch): take the new values.
  useEffect(() => setForm(fromHousehold(household)), [household]);

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    setSaved(false);
    if (form.channels.length === 0) return setError(t('household.errors.channels'));
    await run(async () => {
      const { householdNumber: _number, blockId: _block, ...ownFields } = householdBody(form);
      const updated = await api.updateHousehold(household.id, officer ? householdBody(form) : ownFields);
      setSaved(true);
      onSaved(updated);
    });
  }

  return (
    <section class="section" aria-labelledby="household-edit-heading">
      <h2 id="household-edit-heading">{t('household.editTitle')}</h2>
      <form class="card form" data-testid="household-form" onSubmit={submit} noValidate>
        <HouseholdFields idPrefix="hh-edit" form={form} setForm={setForm} blocks={blocks.data?.items ?? []} placement={officer} />
        <ErrorAlert error={error} />
        {saved && <Notice>{t('household.saved')}</Notice>}
        <FormActions busy={busy} submitLabel={t('household.save')} />
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

/** What the add and edit forms send: the texts trimmed, the notes as typed. */
export function householdBody(form: HouseholdFormState) {
  return {
    householdNumber: form.householdNumber.trim(),
    name: form.name.trim(),
    address: form.address.trim(),
    blockId: form.blockId,
    channels: form.channels,
    responderNotes: form.responderNotes,
  };
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
  placement = true,
}: {
  idPrefix: string;
  form: HouseholdFormState;
  setForm: (update: (previous: HouseholdFormState) => HouseholdFormState) => void;
  blocks: BlockView[];
  /** The 世帯番号 and 班 fields (officers only). */
  placement?: boolean;
}) {
  const set = <K extends keyof HouseholdFormState>(key: K) => (value: HouseholdFormState[K]) =>
    setForm((previous) => ({ ...previous, [key]: value }));
  const blockOptions = blocks.map((block) => ({ value: block.id, label: block.name }));
  if (!form.blockId) blockOptions.unshift({ value: '', label: t('common.choose') });
  return (
    <>
      {placement && <TextField id={`${idPrefix}-number`} label={t('household.number')} value={form.householdNumber} onValue={set('householdNumber')} required />}
      <TextField id={`${idPrefix}-name`} label={t('household.name')} value={form.name} onValue={set('name')} required />
      <TextField id={`${idPrefix}-address`} label={t('household.address')} value={form.address} onValue={set('address')} required />
      {placement && <SelectField id={`${idPrefix}-block`} label={t('household.block')} value={form.blockId} onValue={set('blockId')} options={blockOptions} required />}
      <ChannelCheckboxes idPrefix={`${idPrefix}-channel`} value={form.channels} onValue={set('channels')} />
      <FormField id={`${idPrefix}-notes`} label={t('household.responderNotes')} hint={t('household.responderNotesHint')} messages={[]}>
        {(control) => (
          <textarea {...control} rows={3} maxLength={1000} value={form.responderNotes} onInput={(event) => set('responderNotes')(event.currentTarget.value)} />
        )}
      </FormField>
    </>
  );
}
