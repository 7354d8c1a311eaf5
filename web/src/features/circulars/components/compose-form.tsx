import { useEffect, useRef, useState } from 'preact/hooks';
import type { Category, CircularDetail } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../lib/api.js';
import { BlockTargetField } from '../../../ui/block-target-field.js';
import { CATEGORIES } from './circular-badges.js';
import { FieldError, errorsFor, fieldErrorsOf, type FieldErrors } from '../../../ui/field-error.js';
import { ErrorAlert, Notice } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useAsync } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';
import { EMPTY, createdDraft, fromDetail, toInput, validate, type FormState } from './compose-form-state.js';
import { QuestionBuilder } from './question-builder.js';
import { VersionFields } from './version-fields.js';
import { AttachmentsEditor } from './attachments-editor.js';

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

export function ComposeForm({ initial }: { initial: CircularDetail | null }) {
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
      createdDraft.justCreated = null;
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
        createdDraft.justCreated = result;
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
