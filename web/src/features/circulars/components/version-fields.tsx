import { FieldError } from '../../../ui/field-error.js';

export function VersionFields(props: {
  open: boolean;
  onToggle: (open: boolean) => void;
  summary: string;
  hint: string;
  prefix: string;
  idPrefix: string;
  lang: string;
  title: string;
  body: string;
  titleLabel: string;
  bodyLabel: string;
  onTitle: (value: string) => void;
  onBody: (value: string) => void;
  fieldErrors: (...fields: string[]) => string[];
}) {
  const { idPrefix, prefix, fieldErrors } = props;
  const hasErrors = fieldErrors(prefix).length > 0;
  return (
    <details class="card version" open={props.open || hasErrors} onToggle={(e) => props.onToggle((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>{props.summary}</summary>
      {(props.open || hasErrors) && (
        <>
          <p class="hint">{props.hint}</p>
          <div class="field">
            <label for={`${idPrefix}-title`}>{props.titleLabel}</label>
            <input id={`${idPrefix}-title`} lang={props.lang} value={props.title} maxLength={200} onInput={(e) => props.onTitle(e.currentTarget.value)} />
            <FieldError id={`${idPrefix}-title-error`} messages={fieldErrors(`${prefix}.title`)} />
          </div>
          <div class="field">
            <label for={`${idPrefix}-body`}>{props.bodyLabel}</label>
            <textarea id={`${idPrefix}-body`} lang={props.lang} rows={8} value={props.body} onInput={(e) => props.onBody(e.currentTarget.value)} />
            <FieldError id={`${idPrefix}-body-error`} messages={fieldErrors(`${prefix}.bodyMarkdown`)} />
          </div>
        </>
      )}
    </details>
  );
}
