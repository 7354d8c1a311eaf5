import { useState } from 'preact/hooks';
import type { CircularDetail } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../lib/api.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { TextField } from '../../../ui/fields.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';
import { useSubmit } from '../../../lib/use-submit.js';

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

function CorrectionForm({ detail, onCancel, onDone }: { detail: CircularDetail; onCancel: () => void; onDone: (next: CircularDetail) => void }) {
  const [title, setTitle] = useState(detail.title);
  const [body, setBody] = useState(detail.bodyMarkdown);
  const [note, setNote] = useState('');
  const { submit: run, busy, error } = useSubmit();
  const [noteError, setNoteError] = useState<string | null>(null);

  async function submit() {
    if (!note.trim()) {
      setNoteError(t('circulars.officer.errors.note'));
      return;
    }
    setNoteError(null);
    await run(async () => {
      const request: { title?: string; bodyMarkdown?: string; note: string } = { note: note.trim() };
      if (title !== detail.title) request.title = title;
      if (body !== detail.bodyMarkdown) request.bodyMarkdown = body;
      onDone(await api.correctCircular(detail.id, request));
    });
  }

  return (
    <form
      class="card form inline-form"
      data-testid="correction-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h3>{t('circulars.officer.correctTitle')}</h3>
      <p class="hint">{t('circulars.officer.correctIntro')}</p>
      <TextField id="correct-title" label={t('circulars.officer.correctedTitle')} value={title} onValue={setTitle} maxLength={200} />
      <div class="field">
        <label for="correct-body">{t('circulars.officer.correctedBody')}</label>
        <textarea id="correct-body" rows={10} value={body} onInput={(event) => setBody(event.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="correct-note">{t('circulars.officer.correctionNote')}</label>
        <p class="hint" id="correct-note-hint">
          {t('circulars.officer.correctionNoteHint')}
        </p>
        <textarea
          id="correct-note"
          rows={3}
          value={note}
          maxLength={500}
          aria-describedby="correct-note-hint"
          aria-invalid={noteError ? true : undefined}
          onInput={(event) => setNote(event.currentTarget.value)}
        />
        {noteError && <p class="field-error">{noteError}</p>}
      </div>
      {error ? <ErrorAlert error={error} /> : null}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {t('circulars.officer.saveCorrection')}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function WithdrawForm({ detail, onCancel, onDone }: { detail: CircularDetail; onCancel: () => void; onDone: (next: CircularDetail) => void }) {
  const [reason, setReason] = useState('');
  const { submit: run, busy, error } = useSubmit();
  const [reasonError, setReasonError] = useState<string | null>(null);

  async function submit() {
    if (!reason.trim()) {
      setReasonError(t('circulars.officer.errors.reason'));
      return;
    }
    setReasonError(null);
    if (!window.confirm(t('circulars.officer.confirmWithdraw', { title: detail.title }))) return;
    await run(async () => {
      onDone(await api.withdrawCircular(detail.id, reason.trim()));
    });
  }

  return (
    <form
      class="card form inline-form"
      data-testid="withdraw-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h3>{t('circulars.officer.withdrawTitle')}</h3>
      <div class="field">
        <label for="withdraw-reason">{t('circulars.withdrawReason')}</label>
        <p class="hint" id="withdraw-reason-hint">
          {t('circulars.officer.withdrawHint')}
        </p>
        <textarea
          id="withdraw-reason"
          rows={3}
          value={reason}
          maxLength={500}
          aria-describedby="withdraw-reason-hint"
          aria-invalid={reasonError ? true : undefined}
          onInput={(event) => setReason(event.currentTarget.value)}
        />
        {reasonError && <p class="field-error">{reasonError}</p>}
      </div>
      {error ? <ErrorAlert error={error} /> : null}
      <div class="actions">
        <button type="submit" class="danger" disabled={busy}>
          {t('circulars.officer.confirmWithdrawButton')}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
