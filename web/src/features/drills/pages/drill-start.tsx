import { useState } from 'preact/hooks';
import { startDrillSchema, type StartDrill } from '../../../../../server/src/contracts/drills.js';
import { api } from '../../../lib/api.js';
import { localiseErrors, useZodForm, type CheckIssue, type FieldErrors } from '../../../lib/forms.js';
import { BlockTargetField } from '../../../ui/block-target-field.js';
import { FormField } from '../../../ui/form-field.js';
import { isoToLocal, localToIso } from '../../../lib/datetime-local.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useAsync, useTitle } from '../../../lib/hooks.js';
import { KindBadge } from '../components/drill-badges.js';
import { t } from '../../../lib/i18n.js';
import { navigate } from '../../../lib/router.js';
import { BackLink } from '../../../ui/back-link.js';
import { ReachWarnings } from '../../readiness/components/reach-warnings.js';

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

/** When tasks nobody has taken go to volunteers, then to officers (minutes after the deadline). */
const TIERS = [
  { id: 'd-volunteers', key: 'volunteersAfterMinutes', label: 'drills.start.volunteersAfter' },
  { id: 'd-officers', key: 'officersAfterMinutes', label: 'drills.start.officersAfter' },
] as const;

/** The server explains in English; put the officer's language first and keep the detail. */
const localise = (errors: FieldErrors) => localiseErrors(errors, START_FIELDS, (field) => t(`drills.start.serverErrors.${field}`));

/** The officer's words for a failed check of the contract. */
function checkMessage(field: string, issue: CheckIssue): string {
  if (field === 'title') return t('drills.start.errors.title');
  if (field === 'targetBlockIds') return t('drills.start.errors.target');
  if (field === 'deadlineAt') return t('drills.start.errors.deadline');
  // The contract's own rule: officers are asked after volunteers.
  if (field === 'officersAfterMinutes' && issue.code === 'custom') return t('drills.start.errors.order');
  if (field === 'volunteersAfterMinutes' || field === 'officersAfterMinutes') return t('drills.start.errors.minutes');
  return localise({ [field]: [issue.message] })[field]![0]!;
}

/** What the contract cannot know: a deadline must be ahead of now when it is sent. */
function formRules(form: StartForm): FieldErrors {
  const deadline = localToIso(form.deadlineAt);
  return deadline && Date.parse(deadline) <= Date.now() ? { deadlineAt: [t('drills.start.errors.deadlinePast')] } : {};
}

function toInput(form: StartForm): StartDrill {
  return {
    kind: form.kind,
    title: form.title.trim(),
    message: form.message.trim(),
    targetBlockIds: form.wholeAssociation ? null : form.targetBlockIds,
    announced: form.announced,
    deadlineAt: localToIso(form.deadlineAt) ?? '',
    volunteersAfterMinutes: Number(form.volunteersAfterMinutes),
    officersAfterMinutes: Number(form.officersAfterMinutes),
  };
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
  const checked = useZodForm(startDrillSchema, { messages: checkMessage, localise });
  const set = <K extends keyof StartForm>(key: K, value: StartForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  async function submit(event: Event) {
    event.preventDefault();
    if (!checked.check(toInput(form), formRules(form))) return;
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
    await checked.submit(async () => {
      const drill = await api.startDrill(toInput(form));
      navigate(`/drills/${drill.id}`);
    });
  }

  const fe = checked.messagesFor;

  return (
    <div class="stack">
      <BackLink href="/drills">{t('drills.backToList')}</BackLink>
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

        <FormField id="d-title" label={t('drills.start.titleField')} messages={fe('title')}>
          {(control) => (
            <input
              {...control}
              value={form.title}
              maxLength={200}
              required
              placeholder={form.kind === 'drill' ? t('drills.start.titlePlaceholderDrill') : t('drills.start.titlePlaceholderReal')}
              onInput={(e) => set('title', e.currentTarget.value)}
            />
          )}
        </FormField>
        <FormField id="d-message" label={t('drills.start.message')} hint={t('drills.start.messageHint')} messages={fe('message')}>
          {(control) => <textarea {...control} rows={4} maxLength={2000} value={form.message} onInput={(e) => set('message', e.currentTarget.value)} />}
        </FormField>

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
        <ReachWarnings blockIds={form.wholeAssociation ? null : form.targetBlockIds} />

        <div class="check big-check">
          <input type="checkbox" id="d-announced" checked={form.announced} onChange={(e) => set('announced', e.currentTarget.checked)} />
          <label for="d-announced">{t('drills.start.announced')}</label>
        </div>

        <FormField id="d-deadline" label={t('drills.start.deadline')} hint={t('drills.start.deadlineHint')} messages={fe('deadlineAt')}>
          {(control) => <input {...control} type="datetime-local" value={form.deadlineAt} onInput={(e) => set('deadlineAt', e.currentTarget.value)} />}
        </FormField>

        <div class="row">
          {TIERS.map(({ id, key, label }) => (
            <FormField key={key} id={id} label={t(label)} messages={fe(key)}>
              {(control) => (
                <input
                  {...control}
                  type="number"
                  inputMode="numeric"
                  min={1}
                  max={1440}
                  class="short-input"
                  value={form[key]}
                  onInput={(e) => set(key, e.currentTarget.value)}
                />
              )}
            </FormField>
          ))}
        </div>

        <div ref={checked.summaryRef} tabIndex={-1} class="error-summary-anchor">
          {checked.hasErrors && <ErrorAlert message={t('drills.start.errors.summary')} />}
          {checked.error ? <ErrorAlert error={checked.error} /> : null}
        </div>
        <div class="actions compose-actions">
          <button type="submit" class={form.kind === 'real' ? 'primary start-real' : 'primary'} disabled={checked.busy}>
            {t('drills.start.submit')}
          </button>
        </div>
      </form>
    </div>
  );
}
