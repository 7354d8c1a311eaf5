import type { Question } from '../../../../../server/src/contracts/circulars.js';
import { t } from '../../../lib/i18n.js';
import { optionLabels } from './circular-badges.js';

/** The question a circular asks, as its households see it: for the officers' page of the circular. */
export function QuestionAsked({ question }: { question: Question }) {
  return (
    <section class="section card question-asked" aria-labelledby="question-asked-heading" data-testid="question-asked">
      <h2 id="question-asked-heading">{t('circulars.answer.heading')}</h2>
      <p class="question-prompt">{question.prompt}</p>
      <p class="muted">
        {t(`circulars.questionTypes.${question.type}`)}
        {question.type === 'attendance' && ` — ${t('circulars.questionAskedMax', { count: question.maxHeadcount })}`}
      </p>
      <ul>
        {optionLabels(question).map((label, index) => (
          <li key={index}>{label}</li>
        ))}
      </ul>
    </section>
  );
}
