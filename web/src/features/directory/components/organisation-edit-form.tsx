import { useState } from 'preact/hooks';
import { organisationChangeSchema, type AccountService } from '../../../../../server/src/contracts/directory-accounts.js';
import { AGE_GROUPS, SERVICE_LANGUAGES, WORRIES, type Worry } from '../../../../../server/src/contracts/directory.js';
import { api } from '../../../lib/api.js';
import { useZodForm } from '../../../lib/forms.js';
import { t } from '../../../lib/i18n.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { TextField } from '../../../ui/fields.js';
import { FormActions } from '../../../ui/form-actions.js';
import { coordinate, PositionFields, positionOf, same, Ticks } from './service-fields.js';

const TEXT = ['description', 'phone', 'hours', 'cost', 'address', 'web'] as const;
type TextKey = (typeof TEXT)[number];
type AgeGroup = (typeof AGE_GROUPS)[number];
type ServiceLanguage = (typeof SERVICE_LANGUAGES)[number];
type Values = Record<TextKey, string> & { worries: Worry[]; walkIn: boolean; ageGroups: AgeGroup[]; languages: ServiceLanguage[]; lat: number | null; lon: number | null };
/** The pending change's columns → the form's fields. */
const FIELD: Record<string, keyof Values> = {
  description: 'description', phone: 'phone', hours: 'hours', cost: 'cost', address: 'address', web: 'web', worries: 'worries', walk_in: 'walkIn',
  age_groups: 'ageGroups', languages: 'languages', lat: 'lat', lon: 'lon',
};

/** The entry as it will show once any pending change is approved: what the organisation edits on. */
function startingValues(s: AccountService): Values {
  const values: Values = {
    description: s.description, phone: s.phone, hours: s.hours, cost: s.cost, address: s.address, web: s.web, worries: s.worries as Worry[], walkIn: s.walkIn,
    ageGroups: s.ageGroups as AgeGroup[], languages: s.languages as ServiceLanguage[], lat: s.lat, lon: s.lon,
  };
  for (const c of s.pending?.changes ?? []) {
    const key = FIELD[c.field];
    if (key) (values as Record<string, unknown>)[key] = c.after;
  }
  return values;
}

/**
 * The organisation's form for every field it may change, its age groups, languages and map
 * position too (a name, whether it shows and where it serves are the editors'): only what it
 * changed is sent, as a change waiting for review. The contract's checks, and the server's 400
 * (an entry that shows keeps a phone, web or address), show beside the field.
 */
export function OrganisationEditForm({ service, onSent, onCancel }: { service: AccountService; onSent: () => void; onCancel: () => void }) {
  const start = startingValues(service);
  const [values, setValues] = useState<Values>(start);
  const [position, setPosition] = useState(positionOf(start));
  const checked = useZodForm(organisationChangeSchema);
  const fe = checked.messagesFor;
  const id = (key: string) => `org-${key}-${service.id}`;

  async function submit(event: Event) {
    event.preventDefault();
    const typed = { ...values, lat: coordinate(position.lat), lon: coordinate(position.lon) };
    const changed = Object.fromEntries(Object.entries(typed).filter(([k, v]) => !same(v, start[k as keyof Values])));
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
      <Ticks legend={t('directory.form.worries')} codes={WORRIES} label={(w) => t(`directory.worry.${w}`)} value={values.worries}
        onValue={(worries) => setValues((f) => ({ ...f, worries }))} errors={fe('worries')} />
      <Ticks legend={t('directory.form.ageGroups')} codes={AGE_GROUPS} label={(a) => t(`directory.ageGroup.${a}`)} value={values.ageGroups}
        onValue={(ageGroups) => setValues((f) => ({ ...f, ageGroups }))} errors={fe('ageGroups')} />
      <Ticks legend={t('directory.form.languages')} codes={SERVICE_LANGUAGES} label={(l) => t(`directory.language.${l}`)} value={values.languages}
        onValue={(languages) => setValues((f) => ({ ...f, languages }))} errors={fe('languages')} />
      <PositionFields idSuffix={`-org-${service.id}`} value={position} onValue={setPosition} errors={fe} />
      <label class="checkbox">
        <input type="checkbox" checked={values.walkIn} onChange={(e) => { const on = e.currentTarget.checked; setValues((f) => ({ ...f, walkIn: on })); }} />
        {t('directory.form.walkIn')}
      </label>
      <ErrorAlert error={checked.error} />
      <FormActions busy={checked.busy} submitLabel={t('directory.organisation.send')} cancelLabel={t('common.cancel')} onCancel={onCancel} />
    </form>
  );
}
