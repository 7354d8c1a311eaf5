import { useState } from 'preact/hooks';
import type { CircularDetail } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';
import { useSubmit } from '../../../lib/use-submit.js';
import { CorrectionForm, WithdrawForm } from './officer-forms.js';
import { ReachWarnings } from '../../readiness/components/reach-warnings.js';

// ── Officer: publish, delete, correct, withdraw ────────────────────────────────────────

export function OfficerPanel({ detail, onChange }: { detail: CircularDetail; onChange: (next: CircularDetail, message?: string) => void }) {
  const [mode, setMode] = useState<'correct' | 'withdraw' | null>(null);
  const { submit, busy, error } = useSubmit();

  async function run<T>(action: () => Promise<T>, after: (value: T) => void) {
    await submit(async () => {
      after(await action());
    });
  }

  const editable = detail.status === 'draft' || detail.status === 'scheduled';
  return (
    <section class="section no-print" aria-labelledby="officer-actions-heading">
      <h2 id="officer-actions-heading">{t('circulars.officer.heading')}</h2>
      {/* Before the draft is published: who in its target 班 nobody can reach, as in the compose form. */}
      {detail.status === 'draft' && <ReachWarnings blockIds={detail.targetBlockIds} />}
      <div class="actions">
        {editable && (
          <Link href={`/circulars/${detail.id}/edit`} class="button primary">
            {t('circulars.officer.edit')}
          </Link>
        )}
        {detail.status === 'draft' && (
          <>
            <button
              type="button"
              class="secondary"
              disabled={busy}
              onClick={() => {
                const blocks = detail.targetBlockIds === null ? t('circulars.compose.wholeAssociation') : t('circulars.compose.blockCount', { count: detail.targetBlockIds.length });
                if (!window.confirm(t('circulars.compose.confirmPublish', { target: blocks }))) return;
                void run(
                  () => api.publishCircular(detail.id),
                  (next) => onChange(next, next.status === 'scheduled' ? t('circulars.compose.scheduled') : t('circulars.compose.published')),
                );
              }}
            >
              {t('circulars.compose.publish')}
            </button>
            <button
              type="button"
              class="danger"
              disabled={busy}
              onClick={() => {
                if (!window.confirm(t('circulars.officer.confirmDelete', { title: detail.title }))) return;
                void run(
                  () => api.deleteCircular(detail.id),
                  () => navigate('/circulars'),
                );
              }}
            >
              {t('circulars.officer.delete')}
            </button>
          </>
        )}
        {(detail.status === 'published' || detail.status === 'withdrawn') && (
          <Link href={`/circulars/${detail.id}/progress`} class="button primary">
            {t('circulars.progress.link')}
          </Link>
        )}
        {detail.status === 'published' && (
          <>
            <button type="button" class="secondary" aria-expanded={mode === 'correct'} onClick={() => setMode(mode === 'correct' ? null : 'correct')}>
              {t('circulars.officer.correct')}
            </button>
            <button type="button" class="danger" aria-expanded={mode === 'withdraw'} onClick={() => setMode(mode === 'withdraw' ? null : 'withdraw')}>
              {t('circulars.officer.withdraw')}
            </button>
          </>
        )}
      </div>
      {error ? <ErrorAlert error={error} /> : null}
      {mode === 'correct' && detail.status === 'published' && (
        <CorrectionForm
          detail={detail}
          onCancel={() => setMode(null)}
          onDone={(next) => {
            setMode(null);
            onChange(next, t('circulars.officer.corrected'));
          }}
        />
      )}
      {mode === 'withdraw' && detail.status === 'published' && (
        <WithdrawForm
          detail={detail}
          onCancel={() => setMode(null)}
          onDone={(next) => {
            setMode(null);
            onChange(next, t('circulars.officer.withdrawn'));
          }}
        />
      )}
      {(detail.easyJapanese || detail.english) && (
        <details class="card versions">
          <summary>{t('circulars.officer.versions')}</summary>
          {detail.easyJapanese && (
            <div lang="ja">
              <h3>{t('circulars.compose.easyJapanese')}</h3>
              <p>
                <strong>{detail.easyJapanese.title}</strong>
              </p>
              <p class="notes">{detail.easyJapanese.bodyMarkdown}</p>
            </div>
          )}
          {detail.english && (
            <div lang="en">
              <h3>{t('circulars.compose.english')}</h3>
              <p>
                <strong>{detail.english.title}</strong>
              </p>
              <p class="notes">{detail.english.bodyMarkdown}</p>
            </div>
          )}
        </details>
      )}
    </section>
  );
}
