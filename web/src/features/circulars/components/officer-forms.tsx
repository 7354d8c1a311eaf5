import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import { correctionSchema, withdrawSchema, type CircularDetail } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../lib/api.js';
import { unmatchedErrors, useZodForm } from '../../../lib/forms.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { TextField } from '../../../ui/fields.js';
import { FormField } from '../../../ui/form-field.js';
import { t } from '../../../lib/i18n.js';

interface FormProps {
  detail: CircularDetail;
  onCancel: () => void;
  onDone: (next: CircularDetail) => void;
}

/** The one text an officer must give (a correction's note, a withdrawal's reason): its field in the contract and its words. */
interface RequiredText {
  id: string;
  field: string;
  label: string;
  hint: string;
  message: string;
  value: string;
  onValue: (value: string) => void;
}

/**
 * A correction or a withdrawal of a published circular: a short form checked with its contract,
 * whose one required text says why; `confirm` asks once more before it is sent.
 */
function PublishedCircularForm<S extends z.ZodType>(props: FormProps & {
  testid: string;
  heading: string;
  children?: ComponentChildren;
  schema: S;
  input: z.input<S>;
  required: RequiredText;
  confirm?: string;
  submitLabel: string;
  submitClass: string;
  send: (input: z.input<S>) => Promise<CircularDetail>;
}) {
  const { required } = props;
  const checked = useZodForm(props.schema, { messages: (field) => (field === required.field ? required.message : undefined) });

  const unmatched = unmatchedErrors(checked.errors, [required.field]);

  async function submit() {
    if (!checked.check(props.input)) return;
    if (props.confirm && !window.confirm(props.confirm)) return;
    await checked.submit(async () => {
      props.onDone(await props.send(props.input));
    });
  }

  return (
    <form
      class="card form inline-form"
      data-testid={props.testid}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h3>{props.heading}</h3>
      {props.children}
      <FormField id={required.id} label={required.label} hint={required.hint} messages={checked.messagesFor(required.field)}>
        {(control) => <textarea {...control} rows={3} value={required.value} maxLength={500} onInput={(event) => required.onValue(event.currentTarget.value)} />}
      </FormField>
      {/* The edited title or body can fail its check too: shown here, as it has no field of its own to show it. */}
      {unmatched.length > 0 && <ErrorAlert message={unmatched.join(' / ')} />}
      {checked.error ? <ErrorAlert error={checked.error} /> : null}
      <div class="actions">
        <button type="submit" class={props.submitClass} disabled={checked.busy}>
          {props.submitLabel}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

export function CorrectionForm(props: FormProps) {
  const { detail } = props;
  const [title, setTitle] = useState(detail.title);
  const [body, setBody] = useState(detail.bodyMarkdown);
  const [note, setNote] = useState('');
  // Only what changed is sent: the rest stays as published.
  const input: z.input<typeof correctionSchema> = { note: note.trim() };
  if (title !== detail.title) input.title = title;
  if (body !== detail.bodyMarkdown) input.bodyMarkdown = body;
  return (
    <PublishedCircularForm
      {...props}
      testid="correction-form"
      heading={t('circulars.officer.correctTitle')}
      schema={correctionSchema}
      input={input}
      required={{
        id: 'correct-note',
        field: 'note',
        label: t('circulars.officer.correctionNote'),
        hint: t('circulars.officer.correctionNoteHint'),
        message: t('circulars.officer.errors.note'),
        value: note,
        onValue: setNote,
      }}
      submitLabel={t('circulars.officer.saveCorrection')}
      submitClass="primary"
      send={(request) => api.correctCircular(detail.id, request)}
    >
      <p class="hint">{t('circulars.officer.correctIntro')}</p>
      <TextField id="correct-title" label={t('circulars.officer.correctedTitle')} value={title} onValue={setTitle} maxLength={200} />
      <div class="field">
        <label for="correct-body">{t('circulars.officer.correctedBody')}</label>
        <textarea id="correct-body" rows={10} value={body} onInput={(event) => setBody(event.currentTarget.value)} />
      </div>
    </PublishedCircularForm>
  );
}

export function WithdrawForm(props: FormProps) {
  const { detail } = props;
  const [reason, setReason] = useState('');
  return (
    <PublishedCircularForm
      {...props}
      testid="withdraw-form"
      heading={t('circulars.officer.withdrawTitle')}
      schema={withdrawSchema}
      input={{ reason: reason.trim() }}
      required={{
        id: 'withdraw-reason',
        field: 'reason',
        label: t('circulars.withdrawReason'),
        hint: t('circulars.officer.withdrawHint'),
        message: t('circulars.officer.errors.reason'),
        value: reason,
        onValue: setReason,
      }}
      confirm={t('circulars.officer.confirmWithdraw', { title: detail.title })}
      submitLabel={t('circulars.officer.confirmWithdrawButton')}
      submitClass="danger"
      send={(request) => api.withdrawCircular(detail.id, request.reason)}
    />
  );
}
