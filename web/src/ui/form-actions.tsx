/** A form's submit button and, when it can be left, the button that leaves it. */
export function FormActions({
  busy,
  submitLabel,
  cancelLabel,
  onCancel,
  submitClass = 'primary',
  lockCancel = false,
  class: className = 'actions',
}: {
  busy: boolean;
  submitLabel: string;
  cancelLabel?: string;
  onCancel?: () => void;
  submitClass?: string;
  /** Cancel is disabled while busy too (leaving would hide the answer of what was sent). */
  lockCancel?: boolean;
  /** The row's class (the drill task's big-button row is "task-buttons"). */
  class?: string;
}) {
  const submit = (
    <button type="submit" class={submitClass} disabled={busy}>
      {submitLabel}
    </button>
  );
  if (!onCancel) return submit;
  return (
    <div class={className}>
      {submit}
      <button type="button" class="secondary" disabled={lockCancel && busy} onClick={onCancel}>
        {cancelLabel}
      </button>
    </div>
  );
}
