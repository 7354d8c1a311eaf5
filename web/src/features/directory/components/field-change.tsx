import { t } from '../../../lib/i18n.js';

type Change = { field: string; before: unknown; after: unknown };

/** The labels of a list field's codes (worries otherwise). */
const LIST_LABELS: Record<string, string> = { age_groups: 'directory.ageGroup', languages: 'directory.language' };

function shown(value: unknown, field: string): string {
  if (field === 'status' && typeof value === 'string') return t(`directory.status.${value}`);
  if (Array.isArray(value)) return value.map((code) => t(`${LIST_LABELS[field] ?? 'directory.worry'}.${String(code)}`)).join('・') || '—';
  if (typeof value === 'boolean') return value ? t('directory.review.yes') : t('directory.review.no');
  return value === null || value === undefined || value === '' ? '—' : String(value);
}

/** A change, field by field: the published value → the proposed one. */
export function FieldChanges({ changes }: { changes: Change[] }) {
  return (
    <dl class="field-changes" data-testid="field-changes">
      {changes.map((c) => (
        <div key={c.field}>
          <dt>{t(`directory.review.field.${c.field}`)}</dt>
          <dd><del>{shown(c.before, c.field)}</del> → <ins>{shown(c.after, c.field)}</ins></dd>
        </div>
      ))}
    </dl>
  );
}
