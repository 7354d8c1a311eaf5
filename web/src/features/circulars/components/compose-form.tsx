import { useEffect, useState } from 'preact/hooks';
import { circularInputSchema, type CircularDetail } from '../../../../../server/src/contracts/circulars.js';
import { api } from '../../../lib/api.js';
import { unmatchedErrors, useZodForm } from '../../../lib/forms.js';
import { BlockTargetField } from '../../../ui/block-target-field.js';
import { ErrorAlert, Notice } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { useAsync } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { navigate } from '../../../lib/router.js';
import { HelpLinksFields } from '../../directory/components/referral-help-links.js';
import { EMPTY, KNOWN_FIELDS, checkMessage, createdDraft, formRules, fromDetail, localise, toInput, type FormState, type SectionProps } from './compose-form-state.js';
import { ContentFields, ScheduleFields } from './compose-fields.js';
import { QuestionBuilder } from './question-builder.js';
import { VersionFields } from './version-fields.js';
import { AttachmentsEditor } from './attachments-editor.js';
import { BackLink } from '../../../ui/back-link.js';
import { ReachWarnings } from '../../readiness/components/reach-warnings.js';

export function ComposeForm({ initial }: { initial: CircularDetail | null }) {
  const blocks = useAsync(() => api.blocks(), []);
  const [form, setForm] = useState<FormState>(() => (initial ? fromDetail(initial) : EMPTY));
  const [saved, setSaved] = useState<CircularDetail | null>(initial);
  const [notice, setNotice] = useState<string | null>(null);
  const checked = useZodForm(circularInputSchema, { messages: checkMessage, localise });
  // The cached new draft only bridges /circulars/new → /circulars/:id/edit in this form.
  useEffect(
    () => () => {
      createdDraft.justCreated = null;
    },
    [],
  );

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));

  /** Checks the form with the contract; the input to send, or null with the errors shown. */
  const check = () => (checked.check(toInput(form), formRules(form)) ? toInput(form) : null);

  /** Saves (creating the draft the first time); answers the saved circular. */
  async function save(input: ReturnType<typeof toInput>): Promise<CircularDetail> {
    const result = saved ? await api.updateCircular(saved.id, input) : await api.createCircular(input);
    setSaved(result);
    if (!saved) {
      createdDraft.justCreated = result;
      navigate(`/circulars/${result.id}/edit`, { replace: true });
    }
    return result;
  }

  async function saveDraft() {
    setNotice(null);
    const input = check();
    if (!input) return;
    await checked.submit(async () => {
      await save(input);
      setNotice(t('circulars.compose.savedDraft'));
    });
  }

  async function publish() {
    setNotice(null);
    const input = check();
    if (!input) return;
    const target = form.wholeAssociation
      ? t('circulars.compose.wholeAssociationCount', { count: blocks.data?.items.length ?? 0 })
      : t('circulars.compose.blockCount', { count: form.targetBlockIds.length });
    const message =
      form.publishMode === 'schedule' && form.publishAt
        ? t('circulars.compose.confirmSchedule', { target, date: form.publishAt.replace('T', ' ') })
        : t('circulars.compose.confirmPublish', { target });
    if (!window.confirm(message)) return;
    await checked.submit(async () => {
      const published = await api.publishCircular((await save(input)).id);
      navigate(`/circulars/${published.id}`);
    });
  }

  const section: SectionProps = { form, set, setForm, fieldErrors: checked.messagesFor };
  const unmatched = unmatchedErrors(checked.errors, KNOWN_FIELDS);

  return (
    <div class="stack">
      <BackLink href="/circulars">{t('circulars.backToList')}</BackLink>
      <PageHeading>{saved ? t('circulars.compose.editTitle') : t('circulars.compose.title')}</PageHeading>
      {saved?.status === 'scheduled' && saved.publishAt && (
        <p class="card">{t('circulars.compose.isScheduled', { date: form.publishAt.replace('T', ' ') })}</p>
      )}
      <form
        class="form compose-form"
        data-testid="compose-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void saveDraft();
        }}
      >
        <ContentFields {...section} />
        <BlockTargetField
          idPrefix="c"
          legend={t('circulars.fields.target')}
          wholeLabel={t('circulars.compose.wholeAssociation')}
          chooseLabel={t('circulars.compose.chooseBlocks')}
          wholeAssociation={form.wholeAssociation}
          onWholeAssociation={(whole) => set('wholeAssociation', whole)}
          selected={form.targetBlockIds}
          onSelected={(ids) => set('targetBlockIds', ids)}
          blocks={blocks}
          errors={checked.messagesFor('targetBlockIds')}
        />
        <ReachWarnings blockIds={form.wholeAssociation ? null : form.targetBlockIds} />
        <ScheduleFields {...section} />
        <QuestionBuilder {...section} />
        <VersionFields {...section} initial={initial} />
        <HelpLinksFields
          serviceIds={form.helpServiceIds}
          worries={form.helpWorries}
          onServiceIds={(ids) => set('helpServiceIds', ids)}
          onWorries={(worries) => set('helpWorries', worries)}
          errors={checked.messagesFor('helpServiceIds')}
        />

        <div tabIndex={-1} ref={checked.summaryRef} class="error-summary-anchor">
          {checked.hasErrors && (
            <div class="alert alert-error" role="alert">
              <p>{t('circulars.compose.errors.summary')}</p>
              {unmatched.length > 0 && (
                <ul>
                  {unmatched.map((message, i) => (
                    <li key={i}>{message}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
          {checked.error && !checked.hasErrors ? <ErrorAlert error={checked.error} /> : null}
        </div>
        {notice && <Notice testid="compose-notice">{notice}</Notice>}

        <div class="actions compose-actions">
          <button type="submit" class="secondary" disabled={checked.busy}>
            {t('circulars.compose.saveDraft')}
          </button>
          <button type="button" class="primary" disabled={checked.busy} onClick={() => void publish()}>
            {t('circulars.compose.publish')}
          </button>
        </div>
      </form>

      <AttachmentsEditor circular={saved} />
    </div>
  );
}
