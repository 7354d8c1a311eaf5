import type { ComponentChildren } from 'preact';
import { FieldError } from './field-error.js';

/** What a field's control carries so a screen reader hears its hint and its errors. */
export interface FieldControl {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/**
 * One labelled form field: its label, an optional hint (`<id>-hint`), the control the children
 * render with the ids and aria attributes it needs, and its errors (`<id>-error`).
 */
export function FormField(props: {
  id: string;
  label: ComponentChildren;
  hint?: ComponentChildren;
  messages: string[];
  class?: string;
  children: (control: FieldControl) => ComponentChildren;
}) {
  const { id, messages } = props;
  const hintId = props.hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const control: FieldControl = {
    id,
    'aria-invalid': messages.length > 0 ? true : undefined,
    'aria-describedby': [hintId, messages.length > 0 ? errorId : null].filter(Boolean).join(' ') || undefined,
  };
  return (
    <div class={props.class ? `field ${props.class}` : 'field'}>
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={hintId!}>
          {props.hint}
        </p>
      )}
      {props.children(control)}
      <FieldError id={errorId} messages={messages} />
    </div>
  );
}
