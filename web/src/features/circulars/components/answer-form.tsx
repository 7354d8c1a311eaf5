import { useEffect, useState } from 'preact/hooks';
import type { Answer, CircularDetail, Question } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert, Notice } from '../../../ui/alerts.js';
import { formatShortDateTime } from '../../../lib/format.js';
import { t } from '../../../lib/i18n.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { Ruby } from '../../../ui/ruby.js';

function answerText(question: Question, answer: Answer): string {
  switch (answer.type) {
    case 'yes_no':
      return answer.yes ? t('circulars.answer.yes') : t('circulars.answer.no');
    case 'single':
      return question.type === 'single' ? (question.options[answer.option] ?? '') : '';
    case 'multiple':
      return question.type === 'multiple'
        ? answer.options.map((i) => question.options[i]).filter(Boolean).join(t('circulars.answer.listSeparator')) || t('circulars.answer.noneChosen')
        : '';
    case 'attendance':
      return answer.attending ? t('circulars.answer.attendingWith', { count: answer.headcount }) : t('circulars.answer.absent');
  }
}

export function AnswerForm({ detail, question, onChange }: { detail: CircularDetail; question: Question; onChange: (next: CircularDetail) => void }) {
  const current = detail.household?.answer ?? null;
  const canAnswer = detail.household?.canAnswer ?? false;
  const { submit: run, busy, error } = useSubmit();
  const [saved, setSaved] = useState(false);

  async function submit(answer: Answer) {
    setSaved(false);
    await run(async () => {
      onChange(await api.answer(detail.id, answer));
      setSaved(true);
    });
  }

  const disabled = busy || !canAnswer;
  return (
    <form
      class="answer-form card"
      data-testid="answer-form"
      data-answered={current ? 'true' : 'false'}
      aria-labelledby="question-prompt"
      onSubmit={(event) => event.preventDefault()}
    >
      <h2 class="question-heading"><Ruby k="circulars.answer.heading" /></h2>
      <p id="question-prompt" class="question-prompt">
        {question.prompt}
      </p>
      {current ? (
        <p class="current-answer" data-testid="current-answer">
          {t('circulars.answer.current')}: <strong>{answerText(question, current)}</strong>
        </p>
      ) : (
        <p class="muted">{t('circulars.answer.notYet')}</p>
      )}
      {canAnswer ? (
        current && (
          <p class="hint">
            {detail.dueAt ? t('circulars.answer.canChange', { date: formatShortDateTime(detail.dueAt) }) : t('circulars.answer.canChangeAnytime')}
          </p>
        )
      ) : (
        <p class="hint">{t('circulars.answer.closed')}</p>
      )}
      {question.type === 'yes_no' && (
        <div class="answer-buttons">
          {[true, false].map((yes) => {
            const pressed = current?.type === 'yes_no' && current.yes === yes;
            return (
              <button
                key={String(yes)}
                type="button"
                class={pressed ? 'answer-button primary' : 'answer-button secondary'}
                aria-pressed={pressed}
                disabled={disabled}
                onClick={() => void submit({ type: 'yes_no', yes })}
              >
                {yes ? t('circulars.answer.yes') : t('circulars.answer.no')}
              </button>
            );
          })}
        </div>
      )}
      {question.type === 'single' && (
        <div class="answer-buttons">
          {question.options.map((label, index) => {
            const pressed = current?.type === 'single' && current.option === index;
            return (
              <button
                key={index}
                type="button"
                class={pressed ? 'answer-button primary' : 'answer-button secondary'}
                aria-pressed={pressed}
                disabled={disabled}
                onClick={() => void submit({ type: 'single', option: index })}
              >
                {label}
              </button>
            );
          })}
        </div>
      )}
      {question.type === 'multiple' && (
        <MultipleAnswer
          options={question.options}
          current={current?.type === 'multiple' ? current.options : []}
          disabled={disabled}
          onSubmit={(options) => void submit({ type: 'multiple', options })}
        />
      )}
      {question.type === 'attendance' && (
        <AttendanceAnswer
          max={question.maxHeadcount ?? 10}
          current={current?.type === 'attendance' ? current : null}
          disabled={disabled}
          onSubmit={(attending, headcount) => void submit({ type: 'attendance', attending, headcount })}
        />
      )}
      {saved && <Notice testid="answer-saved">{t('circulars.answer.saved')}</Notice>}
      {error ? <ErrorAlert error={error} /> : null}
    </form>
  );
}

function MultipleAnswer({
  options,
  current,
  disabled,
  onSubmit,
}: {
  options: string[];
  current: number[];
  disabled: boolean;
  onSubmit: (options: number[]) => void;
}) {
  const [chosen, setChosen] = useState<number[]>(current);
  useEffect(() => setChosen(current), [current.join(',')]);
  return (
    <>
      <fieldset class="field checkbox-group big-checks">
        <legend class="visually-hidden">{t('circulars.answer.chooseAny')}</legend>
        {options.map((label, index) => (
          <div class="check" key={index}>
            <input
              type="checkbox"
              id={`answer-option-${index}`}
              checked={chosen.includes(index)}
              disabled={disabled}
              onChange={(event) => {
                const on = event.currentTarget.checked;
                setChosen(on ? [...chosen, index].sort((a, b) => a - b) : chosen.filter((i) => i !== index));
              }}
            />
            <label for={`answer-option-${index}`}>{label}</label>
          </div>
        ))}
      </fieldset>
      <button type="button" class="primary answer-submit" disabled={disabled} onClick={() => onSubmit(chosen)}>
        {t('circulars.answer.submit')}
      </button>
    </>
  );
}

function AttendanceAnswer({
  max,
  current,
  disabled,
  onSubmit,
}: {
  max: number;
  current: { attending: boolean; headcount: number } | null;
  disabled: boolean;
  onSubmit: (attending: boolean, headcount: number) => void;
}) {
  const [attending, setAttending] = useState<boolean | null>(current ? current.attending : null);
  const [headcount, setHeadcount] = useState(current && current.attending ? current.headcount : 1);
  useEffect(() => {
    if (current) {
      setAttending(current.attending);
      if (current.attending) setHeadcount(current.headcount);
    }
  }, [current?.attending, current?.headcount]);

  return (
    <>
      <div class="answer-buttons">
        {[true, false].map((value) => (
          <button
            key={String(value)}
            type="button"
            class={attending === value ? 'answer-button primary' : 'answer-button secondary'}
            aria-pressed={attending === value}
            disabled={disabled}
            onClick={() => setAttending(value)}
          >
            {value ? t('circulars.answer.attending') : t('circulars.answer.absent')}
          </button>
        ))}
      </div>
      {attending && (
        <div class="stepper" role="group" aria-labelledby="headcount-label">
          <span id="headcount-label" class="stepper-label">
            <Ruby k="circulars.answer.headcount" />
          </span>
          <button
            type="button"
            class="secondary stepper-button"
            aria-label={t('circulars.answer.fewer')}
            disabled={disabled || headcount <= 1}
            onClick={() => setHeadcount(Math.max(1, headcount - 1))}
          >
            −
          </button>
          <output class="stepper-value" aria-live="polite" data-testid="headcount">
            {t('circulars.answer.people', { count: headcount })}
          </output>
          <button
            type="button"
            class="secondary stepper-button"
            aria-label={t('circulars.answer.more')}
            disabled={disabled || headcount >= max}
            onClick={() => setHeadcount(Math.min(max, headcount + 1))}
          >
            ＋
          </button>
        </div>
      )}
      <button
        type="button"
        class="primary answer-submit"
        disabled={disabled || attending === null}
        onClick={() => attending !== null && onSubmit(attending, attending ? headcount : 0)}
      >
        {t('circulars.answer.submit')}
      </button>
    </>
  );
}
