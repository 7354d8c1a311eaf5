import { useEffect, useRef, useState } from 'preact/hooks';
import type { StartDrill } from '../../../../../server/src/contracts/drills.js';
import { api } from '../../../lib/api.js';
import { BlockTargetField } from '../../../ui/block-target-field.js';
import { FieldError, errorsFor, fieldErrorsOf, type FieldErrors } from '../../../ui/field-error.js';
import { isoToLocal, localToIso } from '../../../lib/datetime-local.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { paren } from '../../../lib/format.js';
import { useAsync, useTitle } from '../../../lib/hooks.js';
import { KindBadge } from '../components/drill-badges.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';

// ── Start ──────────────────────────────────────────────────────────────────────────────

interface StartForm {
  kind: 'drill' | 'real';
  title: string;
  message: string;
  wholeAssociation: boolean;
  targetBlockIds: string[];
  announced: boolean;
  deadlineAt: string;
  volunteersAfterMinutes: string;
  officersAfterMinutes: string;
}

function tenMinutesFromNow(): string {
  return isoToLocal(new Date(Date.now() + 10 * 60_000).toISOString());
}

const START_FIELDS = ['kind', 'title', 'message', 'targetBlockIds', 'announced', 'deadlineAt', 'volunteersAfterMinutes', 'officersAfterMinutes'];

/** The server explains in English; put the officer's language first and keep the detail. */
function localise(errors: FieldErrors): FieldErrors {
  const result: FieldErrors = {};
  for (const [field, messages] of Object.entries(errors)) {
    const known = START_FIELDS.find((name) => field === name || field.startsWith(`${name}.`));
    const text = known ? t(`drills.start.serverErrors.${known}`) : '';
    result[field] = messages.map((message) => (text ? `${text}${paren(message)}` : message));
  }
  return result;
}

/** /drills/new (officers): start a drill or a real event. */
export function DrillStartPage() {
  useTitle(t('drills.start.title'));
  const blocks = useAsync(() => api.blocks(), []);
  const [form, setForm] = useState<StartForm>(() => ({
    kind: 'drill',
    title: '',
    message: '',
    wholeAssociation: true,
    targetBlockIds: [],
    announced: true,
    deadlineAt: tenMinutesFromNow(),
    volunteersAfterMinutes: '15',
    officersAfterMinutes: '30',
  }));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errorRef = useRef<HTMLDivElement>(null);
  const set = <K extends keyof StartForm>(key: K, value: StartForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  useEffect(() => {
    if (Object.keys(errors).length > 0 || error) errorRef.current?.focus();
  }, [errors, error]);

  function validate(): FieldErrors {
    const local: FieldErrors = {};
    if (!form.title.trim()) local.title = [t('drills.start.errors.title')];
    if (!form.wholeAssociation && form.targetBlockIds.length === 0) local.targetBlockIds = [t('drills.start.errors.target')];
    const deadline = localToIso(form.deadlineAt);
    if (!deadline) local.deadlineAt = [t('drills.start.errors.deadline')];
    else if (Date.parse(deadline) <= Date.now()) local.deadlineAt = [t('drills.start.errors.deadlinePast')];
    const v = Number(form.volunteersAfterMinutes);
    const o = Number(form.officersAfterMinutes);
    if (!Number.isInteger(v) || v < 1 || v > 1440) local.volunteersAfterMinutes = [t('drills.start.errors.minutes')];
    if (!Number.isInteger(o) || o < 1 || o > 1440) local.officersAfterMinutes = [t('drills.start.errors.minutes')];
    else if (Number.isInteger(v) && o <= v) local.officersAfterMinutes = [t('drills.start.errors.order')];
    return local;
  }

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    const local = validate();
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    const all = blocks.data?.items ?? [];
    const chosen = form.wholeAssociation ? all : all.filter((b) => form.targetBlockIds.includes(b.id));
    const households = chosen.reduce((n, b) => n + b.householdCount, 0);
    const message = t(form.kind === 'real' ? 'drills.start.confirmReal' : 'drills.start.confirmDrill', {
      title: form.title.trim(),
      target: form.wholeAssociation
        ? t('drills.start.targetAll', { blocks: chosen.length, households })
        : t('drills.start.targetBlocks', { names: chosen.map((b) => b.name).join('、'), blocks: chosen.length, households }),
    });
    if (!window.confirm(message)) return;
    setBusy(true);
    try {
      const body: StartDrill = {
        kind: form.kind,
        title: form.title.trim(),
        message: form.message.trim(),
        targetBlockIds: form.wholeAssociation ? null : form.targetBlockIds,
        announced: form.announced,
        deadlineAt: localToIso(form.deadlineAt)!,
        volunteersAfterMinutes: Number(form.volunteersAfterMinutes),
        officersAfterMinutes: Number(form.officersAfterMinutes),
      };
      const drill = await api.startDrill(body);
      navigate(`/drills/${drill.id}`);
    } catch (err) {
      const fields = localise(fieldErrorsOf(err));
      setErrors(fields);
      setError(Object.keys(fields).length === 0 ? err : null);
      setBusy(false);
    }
  }

  const fe = (...fields: string[]) => errorsFor(errors, ...fields);
  const invalid = (...fields: string[]) => (fe(...fields).length > 0 ? true : undefined);
  const hasErrors = Object.keys(errors).length > 0;

  return (
    <div class="stack">
      <p>
        <Link href="/drills">{t('drills.backToList')}</Link>
      </p>
      <PageHeading>{t('drills.start.title')}</PageHeading>
      <p class="lead">{t('drills.start.intro')}</p>
      <form class="form drill-start-form" data-testid="drill-start-form" noValidate onSubmit={(e) => void submit(e)}>
        <fieldset class="field">
          <legend>{t('drills.start.kind')}</legend>
          {(['drill', 'real'] as const).map((kind) => (
            <div class="check big-check" key={kind}>
              <input type="radio" id={`d-kind-${kind}`} name="kind" checked={form.kind === kind} onChange={() => set('kind', kind)} />
              <label for={`d-kind-${kind}`}>
                <KindBadge kind={kind} /> <span class="muted small-text">{t(`drills.start.kindHint.${kind}`)}</span>
              </label>
            </div>
          ))}
        </fieldset>

        <div class="field">
          <label for="d-title">{t('drills.start.titleField')}</label>
          <input
            id="d-title"
            value={form.title}
            maxLength={200}
            required
            placeholder={form.kind === 'drill' ? t('drills.start.titlePlaceholderDrill') : t('drills.start.titlePlaceholderReal')}
            aria-invalid={invalid('title')}
            aria-describedby={fe('title').length ? 'd-title-error' : undefined}
            onInput={(e) => set('title', e.currentTarget.value)}
          />
          <FieldError id="d-title-error" messages={fe('title')} />
        </div>

        <div class="field">
          <label for="d-message">{t('drills.start.message')}</label>
          <p class="hint" id="d-message-hint">
            {t('drills.start.messageHint')}
          </p>
          <textarea
            id="d-message"
            rows={4}
            maxLength={2000}
            value={form.message}
            aria-describedby="d-message-hint"
            onInput={(e) => set('message', e.currentTarget.value)}
          />
          <FieldError id="d-message-error" messages={fe('message')} />
        </div>

        <BlockTargetField
          idPrefix="d"
          legend={t('drills.start.target')}
          wholeLabel={t('drills.start.wholeAssociation')}
          chooseLabel={t('drills.start.chooseBlocks')}
          wholeAssociation={form.wholeAssociation}
          onWholeAssociation={(whole) => set('wholeAssociation', whole)}
          selected={form.targetBlockIds}
          onSelected={(ids) => set('targetBlockIds', ids)}
          blocks={blocks}
          errors={fe('targetBlockIds')}
        />

        <div class="check big-check">
          <input type="checkbox" id="d-announced" checked={form.announced} onChange={(e) => set('announced', e.currentTarget.checked)} />
          <label for="d-announced">{t('drills.start.announced')}</label>
        </div>

        <div class="field">
          <label for="d-deadline">{t('drills.start.deadline')}</label>
          <p class="hint" id="d-deadline-hint">
            {t('drills.start.deadlineHint')}
          </p>
          <input
            id="d-deadline"
            type="datetime-local"
            value={form.deadlineAt}
            aria-invalid={invalid('deadlineAt')}
            aria-describedby={['d-deadline-hint', fe('deadlineAt').length ? 'd-deadline-error' : ''].filter(Boolean).join(' ')}
            onInput={(e) => set('deadlineAt', e.currentTarget.value)}
          />
          <FieldError id="d-deadline-error" messages={fe('deadlineAt')} />
        </div>

        <div class="row">
          <div class="field">
            <label for="d-volunteers">{t('drills.start.volunteersAfter')}</label>
            <input
              id="d-volunteers"
              type="number"
              inputMode="numeric"
              min={1}
              max={1440}
              class="short-input"
              value={form.volunteersAfterMinutes}
              aria-invalid={invalid('volunteersAfterMinutes')}
              onInput={(e) => set('volunteersAfterMinutes', e.currentTarget.value)}
            />
            <FieldError id="d-volunteers-error" messages={fe('volunteersAfterMinutes')} />
          </div>
          <div class="field">
            <label for="d-officers">{t('drills.start.officersAfter')}</label>
            <input
              id="d-officers"
              type="number"
              inputMode="numeric"
              min={1}
              max={1440}
              class="short-input"
              value={form.officersAfterMinutes}
              aria-invalid={invalid('officersAfterMinutes')}
              onInput={(e) => set('officersAfterMinutes', e.currentTarget.value)}
            />
            <FieldError id="d-officers-error" messages={fe('officersAfterMinutes')} />
          </div>
        </div>

        <div ref={errorRef} tabIndex={-1} class="error-summary-anchor">
          {hasErrors && <ErrorAlert message={t('drills.start.errors.summary')} />}
          {error ? <ErrorAlert error={error} /> : null}
        </div>
        <div class="actions compose-actions">
          <button type="submit" class={form.kind === 'real' ? 'primary start-real' : 'primary'} disabled={busy}>
            {t('drills.start.submit')}
          </button>
        </div>
      </form>
    </div>
  );
}
