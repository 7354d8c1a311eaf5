/** A field's messages (from lib/forms.ts errorsFor), under the field. */
export function FieldError({ id, messages }: { id: string; messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <p class="field-error" id={id} data-testid="field-error">
      {messages.join(' / ')}
    </p>
  );
}
