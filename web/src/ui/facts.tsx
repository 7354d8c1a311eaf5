import type { ComponentChildren } from 'preact';

/** A label and its value in a Facts list; ddClass styles the value (e.g. "notes"). */
export interface Fact {
  label: string;
  value: ComponentChildren;
  ddClass?: string;
  testid?: string;
}

/** A definition list of labelled values (class "facts"), as shown on detail cards. */
export function Facts({ facts, class: className = 'facts', testid }: { facts: (Fact | false | null | undefined)[]; class?: string; testid?: string }) {
  return (
    <dl class={className} data-testid={testid}>
      {facts.map(
        (fact) =>
          fact && (
            <div key={fact.label}>
              <dt>{fact.label}</dt>
              <dd class={fact.ddClass} data-testid={fact.testid}>
                {fact.value}
              </dd>
            </div>
          ),
      )}
    </dl>
  );
}
