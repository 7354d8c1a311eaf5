/** A form's submit button and, when it can be left, the button that leaves it. */
export function FormActions({
  busy,
  submitLabel,
  cancelLabel,
  onCancel,
}: {
  busy: boolean;
  submitLabel: string;
  cancelLabel?: string;
  onCancel?: () => void;
}) {
  const submit = (
    <button type="submit" class="primary" disabled={busy}>
      {submitLabel}
    </button>
  );
  if (!onCancel) return submit;
  return (
    <div class="actions">
      {submit}
      <button type="button" class="secondary" onClick={onCancel}>
        {cancelLabel}
      </button>
    </div>
  );
}
