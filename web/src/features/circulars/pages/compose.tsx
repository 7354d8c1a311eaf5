import { useEffect, useRef, useState } from 'preact/hooks';
import type { Category, CircularDetail, CircularInput, Question } from '../../../../../server/src/contracts/circulars.js';
import { api, ApiError, type Attachment } from '../../../api.js';
import {
  BlockTargetField,
  CATEGORIES,
  FieldError,
  errorsFor,
  fieldErrorsOf,
  isoToLocal,
  localToIso,
  type FieldErrors,
} from '../components/circular-badges.js';
import { ErrorAlert, Loading, Notice } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useAsync, useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';
import { formatSize } from './circular.js';

type QuestionType = '' | Question['type'];

interface FormState {
  title: string;
  category: Category;
  bodyMarkdown: string;
  wholeAssociation: boolean;
  targetBlockIds: string[];
  publishMode: 'now' | 'schedule';
  publishAt: string;
  dueAt: string;
  reminderHours: string;
  questionType: QuestionType;
  prompt: string;
  options: string[];
  maxHeadcount: string;
  easyTitle: string;
  easyBody: string;
  englishTitle: string;
  englishBody: string;
}

const EMPTY: FormState = {
  title: '',
  category: 'notice',
  bodyMarkdown: '',
  wholeAssociation: true,
  targetBlockIds: [],
  publishMode: 'now',
  publishAt: '',
  dueAt: '',
  reminderHours: '24',
  questionType: '',
  prompt: '',
  options: ['', ''],
  maxHeadcount: '10',
  easyTitle: '',
  easyBody: '',
  englishTitle: '',
  englishBody: '',
};

function fromDetail(detail: CircularDetail): FormState {
  const q = detail.question;
  return {
    title: detail.title,
    category: detail.category,
    bodyMarkdown: detail.bodyMarkdown,
    wholeAssociation: detail.targetBlockIds === null,
    targetBlockIds: detail.targetBlockIds ?? [],
    publishMode: detail.publishAt ? 'schedule' : 'now',
    publishAt: isoToLocal(detail.publishAt),
    dueAt: isoToLocal(detail.dueAt),
    reminderHours: detail.reminderHoursBeforeDue.join(', '),
    questionType: q?.type ?? '',
    prompt: q?.prompt ?? '',
    options: q && (q.type === 'single' || q.type === 'multiple') ? [...q.options] : ['', ''],
    maxHeadcount: q?.type === 'attendance' ? String(q.maxHeadcount ?? 10) : '10',
    easyTitle: detail.easyJapanese?.title ?? '',
    easyBody: detail.easyJapanese?.bodyMarkdown ?? '',
    englishTitle: detail.english?.title ?? '',
    englishBody: detail.english?.bodyMarkdown ?? '',
  };
}

/** Client-side checks that would otherwise be a round trip; the server checks everything again. */
function validate(form: FormState): FieldErrors {
  const errors: FieldErrors = {};
  if (!form.title.trim()) errors.title = [t('circulars.compose.errors.title')];
  if (!form.wholeAssociation && form.targetBlockIds.length === 0) errors.targetBlockIds = [t('circulars.compose.errors.target')];
  if (form.publishMode === 'schedule' && !form.publishAt) errors.publishAt = [t('circulars.compose.errors.publishAt')];
  if (form.reminderHours.trim() && parseHours(form.reminderHours) === null) errors.reminderHoursBeforeDue = [t('circulars.compose.errors.reminder')];
  if (form.questionType) {
    if (!form.prompt.trim()) errors['question.prompt'] = [t('circulars.compose.errors.prompt')];
    if ((form.questionType === 'single' || form.questionType === 'multiple') && form.options.filter((o) => o.trim()).length < 2) {
      errors['question.options'] = [t('circulars.compose.errors.options')];
    }
    if (form.questionType === 'attendance') {
      const n = Number(form.maxHeadcount);
      if (!Number.isInteger(n) || n < 1 || n > 50) errors['question.maxHeadcount'] = [t('circulars.compose.errors.maxHeadcount')];
    }
  }
  if (Boolean(form.easyTitle.trim()) !== Boolean(form.easyBody.trim()) && !form.easyTitle.trim()) errors['easyJapanese.title'] = [t('circulars.compose.errors.versionTitle')];
  if (Boolean(form.englishTitle.trim()) !== Boolean(form.englishBody.trim()) && !form.englishTitle.trim()) errors['english.title'] = [t('circulars.compose.errors.versionTitle')];
  return errors;
}

function parseHours(text: string): number[] | null {
  const parts = text
    .split(/[,、，\s]+/)
    .map((p) => p.trim().replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)))
    .filter(Boolean);
  const hours = parts.map(Number);
  if (hours.some((h) => !Number.isInteger(h) || h < 1 || h > 24 * 14) || hours.length > 5) return null;
  return [...new Set(hours)].sort((a, b) => b - a);
}

function toInput(form: FormState): CircularInput {
  let question: Question | null = null;
  if (form.questionType === 'yes_no') question = { type: 'yes_no', prompt: form.prompt };
  else if (form.questionType === 'single' || form.questionType === 'multiple')
    question = { type: form.questionType, prompt: form.prompt, options: form.options.map((o) => o.trim()).filter(Boolean) };
  else if (form.questionType === 'attendance') question = { type: 'attendance', prompt: form.prompt, maxHeadcount: Number(form.maxHeadcount) || 10 };
  const version = (title: string, body: string) => (title.trim() || body.trim() ? { title, bodyMarkdown: body } : null);
  return {
    title: form.title,
    bodyMarkdown: form.bodyMarkdown,
    category: form.category,
    targetBlockIds: form.wholeAssociation ? null : form.targetBlockIds,
    publishAt: form.publishMode === 'schedule' ? localToIso(form.publishAt) : null,
    dueAt: localToIso(form.dueAt),
    question,
    easyJapanese: version(form.easyTitle, form.easyBody),
    english: version(form.englishTitle, form.englishBody),
    reminderHoursBeforeDue: form.reminderHours.trim() ? (parseHours(form.reminderHours) ?? []) : [],
  };
}

/** The draft this tab just created: shown at once under its new address, without a reload. */
let justCreated: CircularDetail | null = null;

export function ComposePage({ id }: { id?: string }) {
  const cached = id && justCreated?.id === id ? justCreated : null;
  const existing = useAsync((signal) => (id && !cached ? api.circular(id, signal) : Promise.resolve(null)), [id]);
  useTitle(id ? t('circulars.compose.editTitle') : t('circulars.compose.title'));
  // Unkeyed in both cases, so the form keeps its state when a new draft moves to /circulars/:id/edit.
  if (!id || cached) return <ComposeForm initial={cached} />;
  if (existing.error) {
    return (
      <div class="stack">
        <PageHeading>{t('circulars.compose.editTitle')}</PageHeading>
        <ErrorAlert error={existing.error} />
      </div>
    );
  }
  if (!existing.data) return <Loading />;
  if (existing.data.status !== 'draft' && existing.data.status !== 'scheduled') {
    return (
      <div class="stack">
        <PageHeading>{t('circulars.compose.editTitle')}</PageHeading>
        <p class="card">{t('circulars.compose.notEditable')}</p>
        <p>
          <Link href={`/circulars/${existing.data.id}`}>{t('circulars.compose.viewCircular')}</Link>
        </p>
      </div>
    );
  }
  return <ComposeForm key={existing.data.id} initial={existing.data} />;
}

const LOCALISED = [
  'title',
  'bodyMarkdown',
  'targetBlockIds',
  'publishAt',
  'dueAt',
  'reminderHoursBeforeDue',
  'question.prompt',
  'question.options',
  'question.maxHeadcount',
  'easyJapanese.title',
  'english.title',
];

/** The server explains in English; put the officer's language first and keep the detail. */
function localise(errors: FieldErrors): FieldErrors {
  const result: FieldErrors = {};
  for (const [field, messages] of Object.entries(errors)) {
    const known = LOCALISED.find((name) => field === name || field.startsWith(`${name}.`));
    const text = known ? t(`circulars.compose.serverErrors.${known.replace('.', '_')}`) : '';
    result[field] = messages.map((message) => (text ? `${text}（${message}）` : message));
  }
  return result;
}

const KNOWN_FIELDS = [
  'title',
  'category',
  'bodyMarkdown',
  'targetBlockIds',
  'publishAt',
  'dueAt',
  'reminderHoursBeforeDue',
  'question',
  'easyJapanese',
  'english',
];

function ComposeForm({ initial }: { initial: CircularDetail | null }) {
  const blocks = useAsync(() => api.blocks(), []);
  const [form, setForm] = useState<FormState>(() => (initial ? fromDetail(initial) : EMPTY));
  const [saved, setSaved] = useState<CircularDetail | null>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [showEasy, setShowEasy] = useState(Boolean(initial?.easyJapanese));
  const [showEnglish, setShowEnglish] = useState(Boolean(initial?.english));
  const errorRef = useRef<HTMLDivElement>(null);
  // The cached new draft only bridges /circulars/new → /circulars/:id/edit in this form.
  useEffect(
    () => () => {
      justCreated = null;
    },
    [],
  );

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));

  useEffect(() => {
    if (Object.keys(errors).length > 0 || error) errorRef.current?.focus();
  }, [errors, error]);

  /** Saves (creating the draft the first time); returns the saved circular or null on error. */
  async function save(): Promise<CircularDetail | null> {
    const local = validate(form);
    setNotice(null);
    if (Object.keys(local).length > 0) {
      setErrors(local);
      setError(null);
      return null;
    }
    setErrors({});
    setError(null);
    try {
      const input = toInput(form);
      const result = saved ? await api.updateCircular(saved.id, input) : await api.createCircular(input);
      setSaved(result);
      if (!saved) {
        justCreated = result;
        navigate(`/circulars/${result.id}/edit`, { replace: true });
      }
      return result;
    } catch (err) {
      const fields = localise(fieldErrorsOf(err));
      setErrors(fields);
      setError(err);
      return null;
    }
  }

  async function saveDraft() {
    setBusy(true);
    const result = await save();
    setBusy(false);
    if (result) setNotice(t('circulars.compose.savedDraft'));
  }

  async function publish() {
    const local = validate(form);
    if (Object.keys(local).length > 0) {
      setErrors(local);
      return;
    }
    const target = form.wholeAssociation
      ? t('circulars.compose.wholeAssociationCount', { count: blocks.data?.items.length ?? 0 })
      : t('circulars.compose.blockCount', { count: form.targetBlockIds.length });
    const message =
      form.publishMode === 'schedule' && form.publishAt
        ? t('circulars.compose.confirmSchedule', { target, date: form.publishAt.replace('T', ' ') })
        : t('circulars.compose.confirmPublish', { target });
    if (!window.confirm(message)) return;
    setBusy(true);
    const result = await save();
    if (!result) {
      setBusy(false);
      return;
    }
    try {
      const published = await api.publishCircular(result.id);
      navigate(`/circulars/${published.id}`);
    } catch (err) {
      setErrors(localise(fieldErrorsOf(err)));
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const fieldErrors = (...fields: string[]) => errorsFor(errors, ...fields);
  const invalid = (...fields: string[]) => (fieldErrors(...fields).length > 0 ? true : undefined);
  const describedBy = (hint: string | null, errorId: string, ...fields: string[]) =>
    [hint, fieldErrors(...fields).length > 0 ? errorId : null].filter(Boolean).join(' ') || undefined;
  const hasErrors = Object.keys(errors).length > 0;
  const unmatched = Object.entries(errors)
    .filter(([key]) => !KNOWN_FIELDS.some((field) => key === field || key.startsWith(`${field}.`) || key.startsWith(`${field}[`)))
    .flatMap(([key, messages]) => messages.map((message) => `${key}: ${message}`));

  return (
    <div class="stack">
      <p>
        <Link href="/circulars">{t('circulars.backToList')}</Link>
      </p>
      <PageHeading>{saved ? t('circulars.compose.editTitle') : t('circulars.compose.title')}</PageHeading>
      {saved?.status === 'scheduled' && saved.publishAt && (
        <p class="card">{t('circulars.compose.isScheduled', { date: form.publishAt.replace('T', ' ') })}</p>
      )}
      <form
        class="form compose-form"
        data-testid="compose-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void saveDraft();
        }}
      >
        <div class="field">
          <label for="c-title">{t('circulars.fields.title')}</label>
          <input
            id="c-title"
            value={form.title}
            maxLength={200}
            required
            aria-invalid={invalid('title')}
            aria-describedby={describedBy(null, 'c-title-error', 'title')}
            onInput={(e) => set('title', e.currentTarget.value)}
          />
          <FieldError id="c-title-error" messages={fieldErrors('title')} />
        </div>

        <div class="field">
          <label for="c-category">{t('circulars.fields.category')}</label>
          <select id="c-category" value={form.category} onChange={(e) => set('category', e.currentTarget.value as Category)}>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(`circulars.categories.${c}`)}
              </option>
            ))}
          </select>
          <FieldError id="c-category-error" messages={fieldErrors('category')} />
        </div>

        <div class="field">
          <label for="c-body">{t('circulars.fields.body')}</label>
          <p class="hint" id="c-body-hint">
            {t('circulars.compose.bodyHint')}
          </p>
          <textarea
            id="c-body"
            rows={12}
            value={form.bodyMarkdown}
            aria-invalid={invalid('bodyMarkdown')}
            aria-describedby={describedBy('c-body-hint', 'c-body-error', 'bodyMarkdown')}
            onInput={(e) => set('bodyMarkdown', e.currentTarget.value)}
          />
          <FieldError id="c-body-error" messages={fieldErrors('bodyMarkdown')} />
        </div>
        <details class="preview card">
          <summary>{t('circulars.compose.preview')}</summary>
          <p class="hint">{t('circulars.compose.previewHint')}</p>
          <div class="preview-box" data-testid="preview">
            <p class="preview-title">
              <strong>{form.title || t('circulars.compose.untitled')}</strong>
            </p>
            <div class="notes">{form.bodyMarkdown}</div>
          </div>
        </details>

        <BlockTargetField
          idPrefix="c"
          legend={t('circulars.fields.target')}
          wholeLabel={t('circulars.compose.wholeAssociation')}
          chooseLabel={t('circulars.compose.chooseBlocks')}
          wholeAssociation={form.wholeAssociation}
          onWholeAssociation={(whole) => set('wholeAssociation', whole)}
          selected={form.targetBlockIds}
          onSelected={(ids) => set('targetBlockIds', ids)}
          blocks={blocks}
          errors={fieldErrors('targetBlockIds')}
        />

        <fieldset class="field">
          <legend>{t('circulars.compose.when')}</legend>
          <div class="check">
            <input
              type="radio"
              id="c-publish-now"
              name="publish-mode"
              checked={form.publishMode === 'now'}
              onChange={() => setForm((f) => ({ ...f, publishMode: 'now', publishAt: '' }))}
            />
            <label for="c-publish-now">{t('circulars.compose.publishNow')}</label>
          </div>
          <div class="check">
            <input
              type="radio"
              id="c-publish-later"
              name="publish-mode"
              checked={form.publishMode === 'schedule'}
              onChange={() => set('publishMode', 'schedule')}
            />
            <label for="c-publish-later">{t('circulars.compose.schedule')}</label>
          </div>
          <div class="field nested">
            <label for="c-publish-at">{t('circulars.fields.publishAt')}</label>
            <p class="hint" id="c-publish-at-hint">
              {t('circulars.compose.publishAtHint')}
            </p>
            <input
              id="c-publish-at"
              type="datetime-local"
              value={form.publishAt}
              aria-invalid={invalid('publishAt')}
              aria-describedby={describedBy('c-publish-at-hint', 'c-publish-at-error', 'publishAt')}
              onInput={(e) => {
                const value = e.currentTarget.value;
                setForm((f) => ({ ...f, publishAt: value, publishMode: value ? 'schedule' : f.publishMode }));
              }}
            />
            <FieldError id="c-publish-at-error" messages={fieldErrors('publishAt')} />
          </div>
        </fieldset>

        <div class="row">
          <div class="field">
            <label for="c-due">{t('circulars.fields.dueAt')}</label>
            <p class="hint" id="c-due-hint">
              {t('circulars.compose.dueHint')}
            </p>
            <input
              id="c-due"
              type="datetime-local"
              value={form.dueAt}
              aria-invalid={invalid('dueAt')}
              aria-describedby={describedBy('c-due-hint', 'c-due-error', 'dueAt')}
              onInput={(e) => set('dueAt', e.currentTarget.value)}
            />
            <FieldError id="c-due-error" messages={fieldErrors('dueAt')} />
          </div>
          <div class="field">
            <label for="c-reminder">{t('circulars.fields.reminder')}</label>
            <p class="hint" id="c-reminder-hint">
              {t('circulars.compose.reminderHint')}
            </p>
            <input
              id="c-reminder"
              inputMode="text"
              value={form.reminderHours}
              aria-invalid={invalid('reminderHoursBeforeDue')}
              aria-describedby={describedBy('c-reminder-hint', 'c-reminder-error', 'reminderHoursBeforeDue')}
              onInput={(e) => set('reminderHours', e.currentTarget.value)}
            />
            <FieldError id="c-reminder-error" messages={fieldErrors('reminderHoursBeforeDue')} />
          </div>
        </div>

        <QuestionBuilder form={form} set={set} setForm={setForm} fieldErrors={fieldErrors} />

        <VersionFields
          open={showEasy}
          onToggle={setShowEasy}
          summary={t('circulars.compose.easyJapanese')}
          hint={t('circulars.compose.easyHint')}
          prefix="easyJapanese"
          idPrefix="c-easy"
          lang="ja"
          title={form.easyTitle}
          body={form.easyBody}
          titleLabel={t('circulars.compose.easyTitle')}
          bodyLabel={t('circulars.compose.easyBody')}
          onTitle={(v) => set('easyTitle', v)}
          onBody={(v) => set('easyBody', v)}
          fieldErrors={fieldErrors}
        />
        <VersionFields
          open={showEnglish}
          onToggle={setShowEnglish}
          summary={t('circulars.compose.english')}
          hint={t('circulars.compose.englishHint')}
          prefix="english"
          idPrefix="c-en"
          lang="en"
          title={form.englishTitle}
          body={form.englishBody}
          titleLabel={t('circulars.compose.englishTitle')}
          bodyLabel={t('circulars.compose.englishBody')}
          onTitle={(v) => set('englishTitle', v)}
          onBody={(v) => set('englishBody', v)}
          fieldErrors={fieldErrors}
        />

        <div tabIndex={-1} ref={errorRef} class="error-summary-anchor">
          {hasErrors && (
            <div class="alert alert-error" role="alert">
              <p>{t('circulars.compose.errors.summary')}</p>
              {unmatched.length > 0 && (
                <ul>
                  {unmatched.map((message, i) => (
                    <li key={i}>{message}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
          {error && !hasErrors ? <ErrorAlert error={error} /> : null}
        </div>
        {notice && <Notice testid="compose-notice">{notice}</Notice>}

        <div class="actions compose-actions">
          <button type="submit" class="secondary" disabled={busy}>
            {t('circulars.compose.saveDraft')}
          </button>
          <button type="button" class="primary" disabled={busy} onClick={() => void publish()}>
            {t('circulars.compose.publish')}
          </button>
        </div>
      </form>

      <AttachmentsEditor circular={saved} />
    </div>
  );
}

function QuestionBuilder({
  form,
  set,
  setForm,
  fieldErrors,
}: {
  form: FormState;
  set: <K extends keyof FormState>(key: K, value: FormState[K]) => void;
  setForm: (update: (f: FormState) => FormState) => void;
  fieldErrors: (...fields: string[]) => string[];
}) {
  const types: { value: QuestionType; label: string }[] = [
    { value: '', label: t('circulars.questionTypes.none') },
    { value: 'yes_no', label: t('circulars.questionTypes.yes_no') },
    { value: 'single', label: t('circulars.questionTypes.single') },
    { value: 'multiple', label: t('circulars.questionTypes.multiple') },
    { value: 'attendance', label: t('circulars.questionTypes.attendance') },
  ];
  return (
    <section class="card question-builder" aria-labelledby="question-builder-heading">
      <h2 id="question-builder-heading">{t('circulars.compose.questionHeading')}</h2>
      <div class="field">
        <label for="c-question-type">{t('circulars.fields.questionType')}</label>
        <select id="c-question-type" value={form.questionType} onChange={(e) => set('questionType', e.currentTarget.value as QuestionType)}>
          {types.map((type) => (
            <option key={type.value} value={type.value}>
              {type.label}
            </option>
          ))}
        </select>
        <FieldError id="c-question-error" messages={form.questionType ? fieldErrors('question.type') : fieldErrors('question')} />
      </div>
      {form.questionType && (
        <>
          <div class="field">
            <label for="c-prompt">{t('circulars.fields.prompt')}</label>
            <input
              id="c-prompt"
              value={form.prompt}
              maxLength={200}
              aria-invalid={fieldErrors('question.prompt').length ? true : undefined}
              aria-describedby={fieldErrors('question.prompt').length ? 'c-prompt-error' : undefined}
              onInput={(e) => set('prompt', e.currentTarget.value)}
            />
            <FieldError id="c-prompt-error" messages={fieldErrors('question.prompt')} />
          </div>
          {(form.questionType === 'single' || form.questionType === 'multiple') && (
            <fieldset class="field options-editor" aria-describedby={fieldErrors('question.options').length ? 'c-options-error' : undefined}>
              <legend>{t('circulars.compose.options')}</legend>
              <ol class="plain option-list">
                {form.options.map((option, index) => (
                  <li key={index} class="option-row">
                    <label for={`c-option-${index}`} class="option-label">
                      {t('circulars.compose.optionN', { n: index + 1 })}
                    </label>
                    <input
                      id={`c-option-${index}`}
                      value={option}
                      maxLength={100}
                      onInput={(e) => {
                        const value = e.currentTarget.value;
                        setForm((f) => ({ ...f, options: f.options.map((o, i) => (i === index ? value : o)) }));
                      }}
                    />
                    <button
                      type="button"
                      class="secondary small"
                      aria-label={t('circulars.compose.removeOptionN', { n: index + 1 })}
                      disabled={form.options.length <= 2}
                      onClick={() => setForm((f) => ({ ...f, options: f.options.filter((_, i) => i !== index) }))}
                    >
                      {t('circulars.compose.removeOption')}
                    </button>
                  </li>
                ))}
              </ol>
              <button
                type="button"
                class="secondary small"
                disabled={form.options.length >= 10}
                onClick={() => setForm((f) => ({ ...f, options: [...f.options, ''] }))}
              >
                {t('circulars.compose.addOption')}
              </button>
              <FieldError id="c-options-error" messages={fieldErrors('question.options')} />
            </fieldset>
          )}
          {form.questionType === 'attendance' && (
            <div class="field">
              <label for="c-max-headcount">{t('circulars.fields.maxHeadcount')}</label>
              <input
                id="c-max-headcount"
                type="number"
                inputMode="numeric"
                min={1}
                max={50}
                value={form.maxHeadcount}
                aria-invalid={fieldErrors('question.maxHeadcount').length ? true : undefined}
                onInput={(e) => set('maxHeadcount', e.currentTarget.value)}
              />
              <FieldError id="c-max-headcount-error" messages={fieldErrors('question.maxHeadcount')} />
            </div>
          )}
        </>
      )}
    </section>
  );
}

function VersionFields(props: {
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

const ACCEPT = 'application/pdf,image/png,image/jpeg,image/webp,image/gif';
const MAX_BYTES = 10 * 1024 * 1024;

function AttachmentsEditor({ circular }: { circular: CircularDetail | null }) {
  const [items, setItems] = useState<Attachment[]>(circular?.attachments ?? []);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const id = circular?.id;
  useEffect(() => setItems(circular?.attachments ?? []), [id]);

  if (!circular) {
    return (
      <section class="section" aria-labelledby="attachments-edit-heading">
        <h2 id="attachments-edit-heading">{t('circulars.attachments.heading')}</h2>
        <p class="hint">{t('circulars.attachments.saveFirst')}</p>
      </section>
    );
  }
  const draft = circular.status === 'draft';

  async function upload(files: FileList | null) {
    if (!files || files.length === 0 || !id) return;
    setError(null);
    setBusy(true);
    try {
      for (const file of Array.from(files)) {
        if (file.size > MAX_BYTES) {
          setError(t('circulars.attachments.tooLarge', { name: file.name }));
          continue;
        }
        const attachment = await api.uploadAttachment(id, file);
        setItems((list) => [...list, attachment]);
      }
    } catch (err) {
      setError(err instanceof ApiError && err.status === 413 ? t('circulars.attachments.tooLarge', { name: '' }) : err);
    } finally {
      setBusy(false);
      if (inputRef.current) inputRef.current.value = '';
    }
  }

  async function remove(attachment: Attachment) {
    if (!id || !window.confirm(t('circulars.attachments.confirmDelete', { name: attachment.filename }))) return;
    setError(null);
    try {
      await api.deleteAttachment(id, attachment.id);
      setItems((list) => list.filter((a) => a.id !== attachment.id));
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section class="section" aria-labelledby="attachments-edit-heading" data-testid="attachments-editor">
      <h2 id="attachments-edit-heading">{t('circulars.attachments.heading')}</h2>
      {items.length === 0 ? (
        <p class="muted">{t('circulars.attachments.none')}</p>
      ) : (
        <ul class="plain attachment-list">
          {items.map((item) => (
            <li key={item.id} class="attachment-row" data-testid="attachment">
              <a href={item.url} target="_blank" rel="noopener">
                {item.filename}
              </a>{' '}
              <span class="muted">({formatSize(item.size)})</span>{' '}
              {draft && (
                <button
                  type="button"
                  class="danger small"
                  aria-label={t('circulars.attachments.deleteNamed', { name: item.filename })}
                  onClick={() => void remove(item)}
                >
                  {t('circulars.attachments.delete')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {draft ? (
        <div class="field">
          <label for="c-attachment">{t('circulars.attachments.add')}</label>
          <p class="hint" id="c-attachment-hint">
            {t('circulars.attachments.hint')}
          </p>
          <input
            ref={inputRef}
            id="c-attachment"
            type="file"
            accept={ACCEPT}
            multiple
            disabled={busy}
            aria-describedby="c-attachment-hint"
            onChange={(e) => void upload(e.currentTarget.files)}
          />
        </div>
      ) : (
        <p class="hint">{t('circulars.attachments.draftOnly')}</p>
      )}
      {busy && <Loading />}
      {error ? typeof error === 'string' ? <ErrorAlert message={error} /> : <ErrorAlert error={error} /> : null}
    </section>
  );
}
