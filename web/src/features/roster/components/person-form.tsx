import { useState } from 'preact/hooks';
import type { PersonView } from '../../../../../server/src/contracts/roster.js';
import { api, type Language } from '../../../lib/api.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { EmailField, LanguageField, TextField } from '../../../ui/fields.js';
import { FormActions } from '../../../ui/form-actions.js';
import { t } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';

export function PersonForm({
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
  const { submit: run, busy, error, setError } = useSubmit();

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
    await run(async () => {
      if (person) await api.updatePerson(person.id, fields);
      else await api.createPerson({ ...fields, householdId });
      onDone(true);
    });
  }

  return (
    <form class="card form" data-testid="person-form" onSubmit={submit} noValidate>
      <h3>{person ? t('person.editTitle', { name: person.name }) : t('person.addTitle')}</h3>
      <TextField id="person-name" label={t('person.name')} value={name} onValue={setName} required autoComplete="off" />
      <TextField id="person-kana" label={t('person.kana')} value={kana} onValue={setKana} autoComplete="off" />
      <TextField id="person-phone" label={t('person.phone')} type="tel" value={phone} onValue={setPhone} autoComplete="off" />
      <EmailField id="person-email" label={t('person.email')} value={email} onValue={setEmail} autoComplete="off" />
      <LanguageField id="person-language" label={t('person.language')} value={language} onValue={setLanguage} />
      <ErrorAlert error={error} />
      <FormActions
        busy={busy}
        submitLabel={person ? t('person.save') : t('person.create')}
        cancelLabel={t('common.cancel')}
        onCancel={() => onDone(false)}
      />
    </form>
  );
}
