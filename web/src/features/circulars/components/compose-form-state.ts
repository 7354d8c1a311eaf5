import type { Category, CircularDetail, CircularInput, Question } from '../../../../../server/src/contracts/circulars.js';
import { isUnder, localiseErrors, type CheckIssue, type FieldErrors } from '../../../lib/forms.js';
import { isoToLocal, localToIso } from '../../../lib/datetime-local.js';
import { t } from '../../../lib/i18n.js';
import type { Worry } from '../../../../../server/src/contracts/directory.js';

export type QuestionType = '' | Question['type'];

export interface FormState {
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
  helpServiceIds: string[];
  helpWorries: Worry[];
}

export const EMPTY: FormState = {
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
  helpServiceIds: [],
  helpWorries: [],
};

export function fromDetail(detail: CircularDetail): FormState {
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
    helpServiceIds: detail.help.services.map((s) => s.id),
    helpWorries: detail.help.worries,
  };
}

/**
 * The form's own rules, for what the contract cannot see in its input: toInput quietly drops an
 * unreadable reminder list, a missing publish time and an unreadable headcount. The contract
 * (circularInputSchema) checks everything else; the server checks everything again.
 */
export function formRules(form: FormState): FieldErrors {
  const errors: FieldErrors = {};
  if (form.publishMode === 'schedule' && !form.publishAt) errors.publishAt = [t('circulars.compose.errors.publishAt')];
  if (form.reminderHours.trim() && parseHours(form.reminderHours) === null) errors.reminderHoursBeforeDue = [t('circulars.compose.errors.reminder')];
  if (form.questionType === 'attendance') {
    const n = Number(form.maxHeadcount);
    if (!Number.isInteger(n) || n < 1 || n > 50) errors['question.maxHeadcount'] = [t('circulars.compose.errors.maxHeadcount')];
  }
  return errors;
}

/** The officer's words for a failed check of the contract, by field. */
const CHECK_MESSAGES: Record<string, string> = {
  title: 'circulars.compose.errors.title',
  targetBlockIds: 'circulars.compose.errors.target',
  'question.prompt': 'circulars.compose.errors.prompt',
  'question.options': 'circulars.compose.errors.options',
  'easyJapanese.title': 'circulars.compose.errors.versionTitle',
  'english.title': 'circulars.compose.errors.versionTitle',
};

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
export const localise = (errors: FieldErrors) => localiseErrors(errors, LOCALISED, (field) => t(`circulars.compose.serverErrors.${field.replace('.', '_')}`));

/** A failed check of the contract: the officer's words for the field, or the server's way of saying it. */
export function checkMessage(field: string, issue: CheckIssue): string {
  const known = Object.keys(CHECK_MESSAGES).find((name) => isUnder(field, name));
  return known ? t(CHECK_MESSAGES[known]!) : localise({ [field]: [issue.message] })[field]![0]!;
}

/** The fields the form shows errors under; the others go into the summary. */
export const KNOWN_FIELDS = [
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
  'helpServiceIds',
];

function parseHours(text: string): number[] | null {
  const parts = text
    .split(/[,、，\s]+/)
    .map((p) => p.trim().replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)))
    .filter(Boolean);
  const hours = parts.map(Number);
  if (hours.some((h) => !Number.isInteger(h) || h < 1 || h > 24 * 14) || hours.length > 5) return null;
  return [...new Set(hours)].sort((a, b) => b - a);
}

export function toInput(form: FormState): CircularInput {
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
    helpServiceIds: form.helpServiceIds,
    helpWorries: form.helpWorries,
  };
}

/** The draft this tab just created: shown at once under its new address, without a reload. */
export const createdDraft: { justCreated: CircularDetail | null } = { justCreated: null };

/** What every section of the form is given: the state, its setters and the errors of its fields. */
export interface SectionProps {
  form: FormState;
  set: <K extends keyof FormState>(key: K, value: FormState[K]) => void;
  setForm: (update: (f: FormState) => FormState) => void;
  fieldErrors: (...fields: string[]) => string[];
}
