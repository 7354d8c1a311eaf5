import { useState } from 'preact/hooks';
import { AGE_GROUPS, SERVICE_LANGUAGES, serviceBodySchema, WORRIES, type EditorService, type Worry } from '../../../../../server/src/contracts/directory.js';
import { api } from '../../../lib/api.js';
import { useZodForm } from '../../../lib/forms.js';
import { t } from '../../../lib/i18n.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { TextField } from '../../../ui/fields.js';
import { FormActions } from '../../../ui/form-actions.js';
import { coordinate, PositionFields, positionOf, same, Ticks } from './service-fields.js';

const EMPTY = { organisation: '', name: '', description: '', phone: '', hours: '', cost: '', address: '', web: '' };
type TextKey = keyof typeof EMPTY;

type Body = Parameters<typeof api.createDirectoryService>[0];
type Update = Parameters<typeof api.updateDirectoryService>[1];
type AgeGroup = (typeof AGE_GROUPS)[number];
type ServiceLanguage = (typeof SERVICE_LANGUAGES)[number];

/**
 * Adds an entry serving the officer's association (a draft unless "publish now" is ticked); with
 * `organisation`, the organisation's own proposal of a new service (shown once an editor approves it);
 * with `create` and `areas`, a city editor's entry serving the ticked areas (none: the whole city);
 * with `service`, a change to every field of an entry its editor keeps, its organisation, age
 * groups, languages and map position too (`update`: the officers' route unless given).
 */
export function ServiceForm({ onSaved, organisation, create = api.createDirectoryService, update = api.updateDirectoryService, areas, service, onCancel }: {
  onSaved: (service: EditorService) => void; organisation?: string; create?: (body: Body) => Promise<EditorService>; areas?: { code: string; name: string }[];
  update?: (id: string, body: Update) => Promise<EditorService>; service?: EditorService; onCancel?: () => void;
}) {
  const [form, setForm] = useState(service ? { ...EMPTY, ...Object.fromEntries(Object.keys(EMPTY).map((k) => [k, String(service[k as TextKey] ?? '')])) } : EMPTY);
  const [worries, setWorries] = useState<Worry[]>(service?.worries ?? []);
  const [ageGroups, setAgeGroups] = useState<AgeGroup[]>((service?.ageGroups ?? []) as AgeGroup[]);
  const [languages, setLanguages] = useState<ServiceLanguage[]>((service?.languages ?? ['ja']) as ServiceLanguage[]);
  const [position, setPosition] = useState(positionOf(service));
  const [served, setServed] = useState<string[]>([]);
  const [walkIn, setWalkIn] = useState(service?.walkIn ?? false);
  const [publish, setPublish] = useState(true);
  const checked = useZodForm(serviceBodySchema);
  const fe = checked.messagesFor;

  async function submit(event: Event) {
    event.preventDefault();
    const body = checked.check({
      ...form, organisation: organisation ?? form.organisation, worries, ageGroups, languages, lat: coordinate(position.lat), lon: coordinate(position.lon),
      walkIn, status: publish ? 'published' : 'draft', areas: served,
    });
    if (!body) return;
    await checked.submit(async () => {
      const { organisation: _organisation, status: _status, areas: _areas, ...proposal } = body;
      if (service) {
        // Only what the editor changed, so the audit row names the fields that changed.
        const { organisation: org, name, description, worries: w, ageGroups: ages, languages: langs, lat, lon, phone, hours, walkIn: walk, web, cost, address } = body;
        const edited: Update = { organisation: org, name, description, worries: w, ageGroups: ages, languages: langs, lat, lon, phone, hours, walkIn: walk, web, cost, address };
        const before: Record<string, unknown> = service;
        const changed = Object.fromEntries(Object.entries(edited).filter(([key, value]) => !same(value, before[key]))) as Update;
        onSaved(Object.keys(changed).length > 0 ? await update(service.id, changed) : service);
        return;
      }
      onSaved(organisation === undefined ? await create(body) : await api.proposeDirectoryService(proposal));
      setForm(EMPTY);
      setWorries([]);
      setAgeGroups([]);
      setLanguages(['ja']);
      setPosition({ lat: '', lon: '' });
      setServed([]);
    });
  }
  const field = (key: TextKey, type: 'text' | 'tel' | 'url' = 'text') => (
    <TextField id={`ds-${key}${service ? `-${service.id}` : ''}`} label={t(`directory.form.${key}`)} type={type} value={form[key]} errors={fe(key)} onValue={(v) => setForm((f) => ({ ...f, [key]: v }))} />
  );

  return (
    <form class="card form" data-testid="directory-form" onSubmit={(e) => void submit(e)} noValidate>
      {organisation === undefined && field('organisation')}
      {field('name')}
      {field('description')}
      <Ticks legend={t('directory.form.worries')} codes={WORRIES} label={(w) => t(`directory.worry.${w}`)} value={worries} onValue={setWorries} errors={fe('worries')} />
      <Ticks legend={t('directory.form.ageGroups')} codes={AGE_GROUPS} label={(a) => t(`directory.ageGroup.${a}`)} value={ageGroups} onValue={setAgeGroups} errors={fe('ageGroups')} />
      <Ticks legend={t('directory.form.languages')} codes={SERVICE_LANGUAGES} label={(l) => t(`directory.language.${l}`)} value={languages} onValue={setLanguages} errors={fe('languages')} />
      {areas && (
        <fieldset>
          <legend>{t('directory.city.areas')}</legend>
          <p class="hint">{t('directory.city.areasHint')}</p>
          {areas.map((a) => (
            <label key={a.code} class="checkbox">
              <input type="checkbox" checked={served.includes(a.code)} onChange={(e) => setServed((now) => (e.currentTarget.checked ? [...now, a.code] : now.filter((x) => x !== a.code)))} />
              {a.name}
            </label>
          ))}
          {fe('areas').map((m) => <p key={m} class="field-error">{m}</p>)}
        </fieldset>
      )}
      {field('phone', 'tel')}
      {field('hours')}
      {field('cost')}
      {field('address')}
      {field('web', 'url')}
      <PositionFields idSuffix={service ? `-${service.id}` : ''} value={position} onValue={setPosition} errors={fe} />
      <label class="checkbox"><input type="checkbox" checked={walkIn} onChange={(e) => setWalkIn(e.currentTarget.checked)} />{t('directory.form.walkIn')}</label>
      {organisation === undefined && !service && <label class="checkbox"><input type="checkbox" checked={publish} onChange={(e) => setPublish(e.currentTarget.checked)} />{t('directory.form.publish')}</label>}
      <ErrorAlert error={checked.error} />
      <FormActions busy={checked.busy} submitLabel={service ? t('directory.editor.save') : organisation === undefined ? t('directory.form.submit') : t('directory.organisation.proposeSubmit')}
        {...(onCancel ? { cancelLabel: t('common.cancel'), onCancel } : {})} />
    </form>
  );
}
