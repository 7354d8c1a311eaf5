import { useState } from 'preact/hooks';
import { organisationChangeSchema, type AccountService } from '../../../../../server/src/contracts/directory-accounts.js';
import { WORRIES, type Worry } from '../../../../../server/src/contracts/directory.js';
import { api } from '../../../lib/api.js';
import { useZodForm } from '../../../lib/forms.js';
import { t } from '../../../lib/i18n.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { TextField } from '../../../ui/fields.js';
import { FormActions } from '../../../ui/form-actions.js';

const TEXT = ['description', 'phone', 'hours', 'cost', 'address', 'web'] as const;
type TextKey = (typeof TEXT)[number];
type Values = Record<TextKey, string> & { worries: Worry[]; walkIn: boolean };
/** The pending change's columns → the form's fields. */
const FIELD: Record<string, keyof Values> = { description: 'description', phone: 'phone', hours: 'hours', cost: 'cost', address: 'address', web: 'web', worries: 'worries', walk_in: 'walkIn' };

/** The entry as it will show once any pending change is approved: what the organisation edits on. */
function startingValues(s: AccountService): Values {
  const values: Values = { description: s.description, phone: s.phone, hours: s.hours, cost: s.cost, address: s.address, web: s.web, worries: s.worries as Worry[], walkIn: s.walkIn };
  for (const c of s.pending?.changes ?? []) {
    const key = FIELD[c.field];
    if (key) (values as Record<string, unknown>)[key] = c.after;
  }
  return values;
}

/**
 * The organisation's form for every field it may change (a name and whether it shows are the
 * editors'): only what it changed is sent, as a change waiting for review. The contract's
 * checks, and the server's 400 (an entry that shows keeps a phone, web or address), show beside the field.
 */
export function OrganisationEditForm({ service, onSent, onCancel }: { service: AccountService; onSent: () => void; onCancel: () => void }) {
  const start = startingValues(service);
  const [values, setValues] = useState<Values>(start);
  const checked = useZodForm(organisationChangeSchema);
  const fe = checked.messagesFor;
  const id = (key: string) => `org-${key}-${service.id}`;

  async function submit(event: Event) {
    event.preventDefault();
    const changed = Object.fromEntries(Object.entries(values).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(start[k as keyof Values])));
    const body = checked.check(changed);
    if (!body) return;
    if (Object.keys(body).length === 0) return onCancel();
    await checked.submit(async () => {
      await api.proposeDirectoryChange(service.id, body);
      onSent();
    });
  }
  const field = (key: TextKey, type: 'text' | 'tel' | 'url' = 'text') => (
    <TextField id={id(key)} label={t(`directory.form.${key}`)} type={type} value={values[key]} errors={fe(key)} onValue={(v) => setValues((f) => ({ ...f, [key]: v }))} />
  );
  return (
    <form class="form" data-testid="organisation-edit" onSubmit={(e) => void submit(e)} noValidate>
      {field('description')}
      {field('phone', 'tel')}
      {field('hours')}
      {field('cost')}
      {field('address')}
      {field('web', 'url')}
      <fieldset>
        <legend>{t('directory.form.worries')}</legend>
        {WORRIES.map((w) => (
          <label key={w} class="checkbox">
            <input type="checkbox" checked={values.worries.includes(w)}
              onChange={(e) => { const on = e.currentTarget.checked; setValues((f) => ({ ...f, worries: on ? [...f.worries, w] : f.worries.filter((x) => x !== w) })); }} />
            {t(`directory.worry.${w}`)}
          </label>
        ))}
        {fe('worries').map((m) => <p key={m} class="field-error">{m}</p>)}
      </fieldset>
      <label class="checkbox">
        <input type="checkbox" checked={values.walkIn} onChange={(e) => { const on = e.currentTarget.checked; setValues((f) => ({ ...f, walkIn: on })); }} />
        {t('directory.form.walkIn')}
      </label>
      <ErrorAlert error={checked.error} />
      <FormActions busy={checked.busy} submitLabel={t('directory.organisation.send')} cancelLabel={t('common.cancel')} onCancel={onCancel} />
    </form>
  );
}
