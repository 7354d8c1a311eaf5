import type { InputHTMLAttributes, LooseInputHTMLAttributes } from 'preact';
import type { Language } from '../lib/api.js';
import { languageName } from '../lib/format.js';
import { LANGUAGES } from '../lib/i18n.js';
import { FormField } from './form-field.js';

type InputProps = Omit<LooseInputHTMLAttributes<HTMLInputElement>, 'value' | 'onInput' | 'label' | 'role'>;
type TextFieldProps = InputProps & {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string;
  /** Messages of a failed check for this field: shown under it and marked on the input. */
  errors?: string[];
};

export function TextField({ id, label, value, onValue, hint, errors, ...rest }: TextFieldProps) {
  return (
    <FormField id={id} label={label} hint={hint} messages={errors ?? []}>
      {(control) => (
        <input {...(rest as InputHTMLAttributes<HTMLInputElement>)} {...control} value={value} onInput={(event) => onValue(event.currentTarget.value)} />
      )}
    </FormField>
  );
}

/** An e-mail address: no capitalising or spell-checking of what is typed. */
export function EmailField(props: Omit<TextFieldProps, 'type'>) {
  return <TextField type="email" autoCapitalize="off" spellcheck={false} {...props} />;
}

export function SelectField({
  id,
  label,
  value,
  onValue,
  options,
  required,
}: {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  options: { value: string; label: string }[];
  required?: boolean;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} required={required} onChange={(event) => onValue(event.currentTarget.value)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The choice of a person's language, each named in itself. */
export function LanguageField({ id, label, value, onValue }: { id: string; label: string; value: Language; onValue: (value: Language) => void }) {
  return (
    <SelectField
      id={id}
      label={label}
      value={value}
      onValue={(next) => onValue(LANGUAGES.find((l) => l === next) ?? 'ja')}
      options={LANGUAGES.map((l) => ({ value: l, label: languageName(l) }))}
    />
  );
}
