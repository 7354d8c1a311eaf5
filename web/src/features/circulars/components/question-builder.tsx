import { FieldError } from '../../../ui/field-error.js';
import { t } from '../../../lib/i18n.js';
import { FormField } from '../../../ui/form-field.js';
import type { QuestionType, SectionProps } from './compose-form-state.js';

export function QuestionBuilder({ form, set, setForm, fieldErrors }: SectionProps) {
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
          <FormField id="c-prompt" label={t('circulars.fields.prompt')} messages={fieldErrors('question.prompt')}>
            {(control) => <input {...control} value={form.prompt} maxLength={200} onInput={(e) => set('prompt', e.currentTarget.value)} />}
          </FormField>
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
            <FormField id="c-max-headcount" label={t('circulars.fields.maxHeadcount')} messages={fieldErrors('question.maxHeadcount')}>
              {(control) => (
                <input {...control} type="number" inputMode="numeric" min={1} max={50} value={form.maxHeadcount} onInput={(e) => set('maxHeadcount', e.currentTarget.value)} />
              )}
            </FormField>
          )}
        </>
      )}
    </section>
  );
}
