import type { InputHTMLAttributes, LooseInputHTMLAttributes } from 'preact';

type InputProps = Omit<LooseInputHTMLAttributes<HTMLInputElement>, 'value' | 'onInput' | 'label' | 'role'>;

export function TextField({
  id,
  label,
  value,
  onValue,
  hint,
  ...rest
}: InputProps & { id: string; label: string; value: string; onValue: (value: string) => void; hint?: string }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <input
        {...(rest as InputHTMLAttributes<HTMLInputElement>)}
        id={id}
        value={value}
        onInput={(event) => onValue(event.currentTarget.value)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
    </div>
  );
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
