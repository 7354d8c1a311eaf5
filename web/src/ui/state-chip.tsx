/**
 * A coloured label for a state (a status, kind or tier): `data-<name>` carries the raw value, so
 * tests and styles need not read the translated label.
 */
export function StateChip({ class: className, name = 'status', value, label }: { class: string; name?: string; value: string; label: string }) {
  return (
    <span class={className} {...{ [`data-${name}`]: value }}>
      {label}
    </span>
  );
}
