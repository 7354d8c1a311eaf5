import type { Category } from '../../../../../server/src/contracts/circulars.js';
import { FormField } from '../../../ui/form-field.js';
import { t } from '../../../lib/i18n.js';
import { CATEGORIES } from './circular-badges.js';
import type { SectionProps } from './compose-form-state.js';

/** Title, category and body, with a preview of how the title and text will read. */
export function ContentFields({ form, set, fieldErrors }: SectionProps) {
  return (
    <>
      <FormField id="c-title" label={t('circulars.fields.title')} messages={fieldErrors('title')}>
        {(control) => <input {...control} value={form.title} maxLength={200} required onInput={(e) => set('title', e.currentTarget.value)} />}
      </FormField>
      <FormField id="c-category" label={t('circulars.fields.category')} messages={fieldErrors('category')}>
        {(control) => (
          <select {...control} value={form.category} onChange={(e) => set('category', e.currentTarget.value as Category)}>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(`circulars.categories.${c}`)}
              </option>
            ))}
          </select>
        )}
      </FormField>
      <FormField id="c-body" label={t('circulars.fields.body')} hint={t('circulars.compose.bodyHint')} messages={fieldErrors('bodyMarkdown')}>
        {(control) => <textarea {...control} rows={12} value={form.bodyMarkdown} onInput={(e) => set('bodyMarkdown', e.currentTarget.value)} />}
      </FormField>
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
    </>
  );
}

/** When it is published, when answers are due, and when the unread are reminded. */
export function ScheduleFields({ form, set, setForm, fieldErrors }: SectionProps) {
  return (
    <>
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
          <input type="radio" id="c-publish-later" name="publish-mode" checked={form.publishMode === 'schedule'} onChange={() => set('publishMode', 'schedule')} />
          <label for="c-publish-later">{t('circulars.compose.schedule')}</label>
        </div>
        <FormField id="c-publish-at" class="nested" label={t('circulars.fields.publishAt')} hint={t('circulars.compose.publishAtHint')} messages={fieldErrors('publishAt')}>
          {(control) => (
            <input
              {...control}
              type="datetime-local"
              value={form.publishAt}
              onInput={(e) => {
                const value = e.currentTarget.value;
                setForm((f) => ({ ...f, publishAt: value, publishMode: value ? 'schedule' : f.publishMode }));
              }}
            />
          )}
        </FormField>
      </fieldset>

      <div class="row">
        <FormField id="c-due" label={t('circulars.fields.dueAt')} hint={t('circulars.compose.dueHint')} messages={fieldErrors('dueAt')}>
          {(control) => <input {...control} type="datetime-local" value={form.dueAt} onInput={(e) => set('dueAt', e.currentTarget.value)} />}
        </FormField>
        <FormField id="c-reminder" label={t('circulars.fields.reminder')} hint={t('circulars.compose.reminderHint')} messages={fieldErrors('reminderHoursBeforeDue')}>
          {(control) => <input {...control} inputMode="text" value={form.reminderHours} onInput={(e) => set('reminderHours', e.currentTarget.value)} />}
        </FormField>
      </div>
    </>
  );
}
