import { useEffect, useState } from 'preact/hooks';
import type { Answer, CircularDetail, Question } from '../../../../../server/src/contracts/circulars.js';
import { api, type Attachment } from '../../../api.js';
import { CategoryChip, CorrectedBadge, StatusBadge } from '../components/circular-badges.js';
import { ErrorAlert, Loading, Notice } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { TextField } from '../../../ui/fields.js';
import { dismissToastsFor } from '../../../ui/toasts.js';
import { formatDateTime, formatShortDateTime } from '../../../lib/format.js';
import { useAsync, useTitle } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';
import { useRequiredSession } from '../../../lib/session.js';
import { useSocketEvent, useSocketReconnect } from '../../../lib/socket.js';

export function CircularPage({ id }: { id: string }) {
  const session = useRequiredSession();
  // Refetch when the saved language changes: the server picks the version to display.
  const state = useAsync((signal) => api.circular(id, signal), [id, session.person.preferredLanguage]);
  const [notice, setNotice] = useState<string | null>(null);
  const detail = state.data;
  useTitle(detail?.display.title ?? t('circulars.title'));
  const householdId = detail?.household?.id;
  useEffect(() => dismissToastsFor(`/circulars/${id}`), [id]);

  useSocketEvent('circular:updated', (event) => {
    if (event.circularId === id) state.reload();
  });
  useSocketEvent('circular:acknowledged', (event) => {
    if (event.circularId === id && event.householdId === householdId) state.reload();
  });
  useSocketEvent('circular:answered', (event) => {
    if (event.circularId === id && event.householdId === householdId) state.reload();
  });
  useSocketReconnect(() => state.reload());

  const officer = session.roles.officer;
  const update = (next: CircularDetail, message?: string) => {
    state.setData(() => next);
    setNotice(message ?? null);
  };

  return (
    <div class="stack">
      <p class="no-print">
        <Link href={officer ? '/circulars' : '/'}>{officer ? t('circulars.backToList') : t('circulars.backHome')}</Link>
      </p>
      {state.error && !detail ? (
        <>
          <PageHeading>{t('circulars.title')}</PageHeading>
          <ErrorAlert error={state.error} />
        </>
      ) : null}
      {state.loading && !detail && <Loading />}
      {detail && (
        <>
          <CircularArticle detail={detail} showStatus={officer} />
          {notice && <Notice testid="circular-notice">{notice}</Notice>}
          {detail.household && detail.status === 'published' && (
            <HouseholdPanel detail={detail} onChange={(next) => update(next)} onAcknowledged={() => state.reload()} />
          )}
          {officer && <OfficerPanel detail={detail} onChange={update} />}
          {!officer && session.roles.captainOf.length > 0 && detail.status === 'published' && (
            <section class="section no-print" aria-labelledby="captain-links-heading">
              <h2 id="captain-links-heading">{t('circulars.captain.heading')}</h2>
              <ul class="plain link-list">
                {session.roles.captainOf.map((block) => (
                  <li key={block.id} class="actions">
                    <Link href={`/circulars/${detail.id}/unread?blockId=${block.id}`} class="button secondary">
                      {t('circulars.captain.unreadFor', { block: block.name })}
                    </Link>
                    <Link href={`/circulars/${detail.id}/progress`} class="button secondary">
                      {t('circulars.progress.link')}
                    </Link>
                    <Link href={`/circulars/${detail.id}/print?blockId=${block.id}`} class="button secondary">
                      {t('circulars.print.linkFor', { block: block.name })}
                    </Link>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </div>
  );
}

function CircularArticle({ detail, showStatus }: { detail: CircularDetail; showStatus: boolean }) {
  const withdrawn = detail.status === 'withdrawn';
  return (
    <article class={withdrawn ? 'circular is-withdrawn' : 'circular'} data-testid="circular" data-status={detail.status}>
      <p class="badges">
        <CategoryChip category={detail.category} />
        {(showStatus || withdrawn) && <StatusBadge status={detail.status} />}
        {detail.correction && <CorrectedBadge />}
      </p>
      <PageHeading>
        <span class="circular-title" lang={detail.display.language === 'en' ? 'en' : 'ja'}>
          {detail.display.title}
        </span>
      </PageHeading>
      {withdrawn && detail.withdrawal && (
        <div class="alert alert-withdrawn" role="note" data-testid="withdrawal">
          <p>
            <strong>{t('circulars.withdrawnNotice')}</strong>
          </p>
          <p>
            {t('circulars.withdrawReason')}: {detail.withdrawal.reason}
          </p>
          <p class="muted">{formatDateTime(detail.withdrawal.at)}</p>
        </div>
      )}
      <dl class="circular-meta">
        {detail.status === 'scheduled' && detail.publishAt && (
          <div>
            <dt>{t('circulars.fields.publishAt')}</dt>
            <dd>{formatDateTime(detail.publishAt)}</dd>
          </div>
        )}
        {detail.publishedAt && (
          <div>
            <dt>{t('circulars.publishedLabel')}</dt>
            <dd>{formatShortDateTime(detail.publishedAt)}</dd>
          </div>
        )}
        {detail.dueAt && (
          <div>
            <dt>{t('circulars.dueLabel')}</dt>
            <dd class="due">{formatShortDateTime(detail.dueAt)}</dd>
          </div>
        )}
      </dl>
      {detail.correction && (
        <div class="alert alert-correction" role="note" data-testid="correction">
          <p>
            <CorrectedBadge /> <strong>{t('circulars.correctionNote')}</strong>
          </p>
          <p class="notes">{detail.correction.note}</p>
          <p class="muted">{formatDateTime(detail.correction.at)}</p>
        </div>
      )}
      {/* Sanitised HTML rendered by the server from the Markdown source. */}
      {detail.display.bodyHtml.trim() && (
        <div
          class="circular-body"
          lang={detail.display.language === 'en' ? 'en' : 'ja'}
          dangerouslySetInnerHTML={{ __html: detail.display.bodyHtml }}
        />
      )}
      {detail.attachments.length > 0 && <Attachments items={detail.attachments} />}
    </article>
  );
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function Attachments({ items }: { items: Attachment[] }) {
  return (
    <section class="attachments" aria-labelledby="attachments-heading">
      <h2 id="attachments-heading">{t('circulars.attachments.heading')}</h2>
      <ul class="plain attachment-list">
        {items.map((item) => (
          <li key={item.id} data-testid="attachment">
            {item.contentType.startsWith('image/') && (
              <a href={item.url} target="_blank" rel="noopener" class="attachment-image-link">
                <img src={item.url} alt={item.filename} class="attachment-image" loading="lazy" />
              </a>
            )}
            <a href={item.url} target="_blank" rel="noopener" class="attachment-link">
              {item.filename}
            </a>{' '}
            <span class="muted">
              ({item.contentType === 'application/pdf' ? 'PDF, ' : ''}
              {formatSize(item.size)}) {t('circulars.attachments.newTab')}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

// ── Household: 読みました and the answer ─────────────────────────────────────────────────

function HouseholdPanel({
  detail,
  onChange,
  onAcknowledged,
}: {
  detail: CircularDetail;
  onChange: (next: CircularDetail) => void;
  onAcknowledged: () => void;
}) {
  const household = detail.household!;
  const [ackAt, setAckAt] = useState<string | null>(household.acknowledgedAt);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setAckAt(household.acknowledgedAt), [household.acknowledgedAt]);

  async function acknowledge() {
    setBusy(true);
    setError(null);
    try {
      const result = await api.acknowledge(detail.id);
      setAckAt(result.acknowledgedAt);
      onAcknowledged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="household-panel no-print" aria-label={t('circulars.household.panel')}>
      {ackAt ? (
        <p class="acknowledged" data-testid="acknowledge" data-acknowledged="true" role="status">
          <span aria-hidden="true" class="check-mark">
            ✓
          </span>{' '}
          {t('circulars.household.acknowledgedAt', { date: formatShortDateTime(ackAt) })}
        </p>
      ) : (
        <button type="button" class="primary acknowledge-button" data-testid="acknowledge" disabled={busy} onClick={() => void acknowledge()}>
          {t('circulars.household.acknowledge')}
        </button>
      )}
      {error ? <ErrorAlert error={error} /> : null}
      {detail.question && <AnswerForm detail={detail} question={detail.question} onChange={onChange} />}
    </section>
  );
}

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

function AnswerForm({ detail, question, onChange }: { detail: CircularDetail; question: Question; onChange: (next: CircularDetail) => void }) {
  const current = detail.household?.answer ?? null;
  const canAnswer = detail.household?.canAnswer ?? false;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  async function submit(answer: Answer) {
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      onChange(await api.answer(detail.id, answer));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
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
      <h2 class="question-heading">{t('circulars.answer.heading')}</h2>
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
            {t('circulars.answer.headcount')}
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

// ── Officer: publish, delete, correct, withdraw ────────────────────────────────────────

function OfficerPanel({ detail, onChange }: { detail: CircularDetail; onChange: (next: CircularDetail, message?: string) => void }) {
  const [mode, setMode] = useState<'correct' | 'withdraw' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function run<T>(action: () => Promise<T>, after: (value: T) => void) {
    setBusy(true);
    setError(null);
    try {
      after(await action());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [noteError, setNoteError] = useState<string | null>(null);

  async function submit() {
    if (!note.trim()) {
      setNoteError(t('circulars.officer.errors.note'));
      return;
    }
    setNoteError(null);
    setBusy(true);
    setError(null);
    try {
      const request: { title?: string; bodyMarkdown?: string; note: string } = { note: note.trim() };
      if (title !== detail.title) request.title = title;
      if (body !== detail.bodyMarkdown) request.bodyMarkdown = body;
      onDone(await api.correctCircular(detail.id, request));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [reasonError, setReasonError] = useState<string | null>(null);

  async function submit() {
    if (!reason.trim()) {
      setReasonError(t('circulars.officer.errors.reason'));
      return;
    }
    setReasonError(null);
    if (!window.confirm(t('circulars.officer.confirmWithdraw', { title: detail.title }))) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await api.withdrawCircular(detail.id, reason.trim()));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
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
