import type { Category, CircularDetail, CircularInput, Question } from '../../../../../server/src/contracts/circulars.js';
import { type FieldErrors } from '../../../ui/field-error.js';
import { isoToLocal, localToIso } from '../../../lib/datetime-local.js';
import { t } from '../../../lib/i18n.js';

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
  };
}

/** Client-side checks that would otherwise be a round trip; the server checks everything again. */
export function validate(form: FormState): FieldErrors {
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
  };
}

/** The draft this tab just created: shown at once under its new address, without a reload. */
export const createdDraft: { justCreated: CircularDetail | null } = { justCreated: null };
