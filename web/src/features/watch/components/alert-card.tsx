import { useState } from 'preact/hooks';
import type { Alert } from '../../../../../server/src/contracts/watch.js';
import { api, ApiError, type AlertOutcome } from '../../../lib/api.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { Facts } from '../../../ui/facts.js';
import { SelectField } from '../../../ui/fields.js';
import { FormActions } from '../../../ui/form-actions.js';
import { FormField } from '../../../ui/form-field.js';
import { formatShortDateTime, formatTime, joinParts, paren, relativeTime } from '../../../lib/format.js';
import { useNow } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { ResponderNotes } from '../../../ui/responder-notes.js';
import { MemberPhones } from '../../../ui/member-phones.js';
import { TierBadge, AlertStatusChip, AlertTimeline } from './alert-badges.js';
import { findAlert } from './alerts.js';
import { mayRefer, ReferralPanel } from '../../directory/components/referral-panel.js';
import { useRequiredSession } from '../../../lib/session.js';

/** Shared pieces of the watching (見守り) pages. */

export const OUTCOMES: AlertOutcome[] = ['fine', 'needs_help', 'hospital', 'away', 'device_fixed', 'false_alarm', 'other'];

/**
 * One watch alert: what happened, at which home, who to call, and "I'll go" / "record what
 * happened". `canAct` is false for the household's own members (they are the ones watched).
 * `referNow` opens the referral step at once (the alert was just resolved as needing help);
 * `onDone` offers a button that puts the card away.
 */
export function AlertCard({
  alert,
  canAct,
  onChange,
  headingLevel = 3,
  showTimeline = false,
  linkHousehold = true,
  referNow = false,
  onDone,
}: {
  alert: Alert;
  canAct: boolean;
  onChange: (alert: Alert) => void;
  headingLevel?: 2 | 3;
  showTimeline?: boolean;
  linkHousehold?: boolean;
  referNow?: boolean;
  onDone?: () => void;
}) {
  const now = useNow();
  const session = useRequiredSession();
  const [resolving, setResolving] = useState(false);
  const [outcome, setOutcome] = useState<AlertOutcome>(alert.kind === 'device_offline' ? 'device_fixed' : 'fine');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const live = alert.status === 'open' || alert.status === 'taken';
  const household = alert.household;
  const idPrefix = `alert-${alert.id}`;

  /** Runs an action on the alert; a 409 means someone else got there first: show the fresh state. */
  async function act(work: () => Promise<void>, conflictMessage: (fresh: Alert | undefined) => string) {
    setBusy(true);
    setError(null);
    setConflict(null);
    try {
      await work();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409)) return setError(err);
      const fresh = await findAlert(alert.id);
      if (fresh) onChange(fresh);
      setConflict(conflictMessage(fresh));
      setResolving(false);
    } finally {
      setBusy(false);
    }
  }

  const take = () =>
    act(
      async () => onChange(await api.takeAlert(alert.id)),
      // Someone else took it (or it closed): show who.
      (fresh) => (fresh?.takenBy ? t('watch.alreadyTaken', { name: fresh.takenBy }) : t('watch.alreadyClosed')),
    );

  async function resolve(event: Event) {
    event.preventDefault();
    await act(
      async () => {
        onChange(await api.resolveAlert(alert.id, outcome, note.trim()));
        setResolving(false);
        setNote('');
      },
      () => t('watch.alreadyClosed'),
    );
  }

  return (
    <li
      class={`card alert-card alert-kind-${alert.kind} ${live ? 'is-live' : 'is-closed'}`}
      data-testid="alert-card"
      data-kind={alert.kind}
      data-status={alert.status}
      data-alert-id={alert.id}
    >
      {alert.kind === 'help' && live && (
        <p class="help-banner" role="alert">
          {t('watch.helpBanner')}
        </p>
      )}
      <div class="alert-card-top">
        <span class="alert-kind">{t(`watch.kinds.${alert.kind}`)}</span>
        <span class="badges">
          <AlertStatusChip status={alert.status} />
          {live && <TierBadge tier={alert.tier} />}
        </span>
      </div>
      <Heading class="alert-household">
        {linkHousehold ? (
          <Link href={`/watch/households/${household.id}`}>
            {household.householdNumber} {household.name}
          </Link>
        ) : (
          <>
            {household.householdNumber} {household.name}
          </>
        )}
      </Heading>
      <p class="muted">
        {joinParts([household.blockName, household.address])}
      </p>
      <p class="alert-last-activity" data-testid="alert-last-activity">
        {t('watch.lastActivityLine', { when: alert.lastActivityAt ? relativeTime(alert.lastActivityAt, now) : t('watch.noActivity') })}
      </p>
      <Facts
        class="alert-facts"
        facts={[
          {
            label: t('watch.raisedAt'),
            value: (
              <>
                {formatTime(alert.raisedAt)} <span class="muted">{paren(relativeTime(alert.raisedAt, now))}</span>
              </>
            ),
          },
          alert.device && { label: t('watch.device'), value: alert.device.label },
          alert.takenBy
            ? {
                label: live ? t('watch.takenByLabel') : t('watch.handledBy'),
                testid: 'alert-taken-by',
                value: (
                  <>
                    {live ? t('watch.takenBy', { name: alert.takenBy }) : alert.takenBy}
                    {alert.takenAt && <span class="muted">{paren(formatTime(alert.takenAt))}</span>}
                  </>
                ),
              }
            : null,
          alert.outcome && {
            label: t('watch.outcome'),
            testid: 'alert-outcome',
            value: (
              <>
                {t(`watch.outcomes.${alert.outcome}`)}
                {alert.resolvedAt && <span class="muted">{paren(formatShortDateTime(alert.resolvedAt))}</span>}
              </>
            ),
          },
          alert.note ? { label: t('watch.note'), value: alert.note, ddClass: 'notes' } : null,
        ]}
      />
      <ResponderNotes notes={household.responderNotes} class="notes responder-notes" />
      <MemberPhones members={household.members} />

      {conflict && (
        <p class="alert alert-warning" role="alert" data-testid="alert-conflict">
          {conflict}
        </p>
      )}
      <ErrorAlert error={error} />

      {canAct && live && !resolving && (
        <div class="actions alert-actions">
          {alert.status === 'open' && (
            <button type="button" class="primary big-action" disabled={busy} onClick={() => void take()}>
              {t('watch.take')}
            </button>
          )}
          <button type="button" class="secondary big-action" disabled={busy} onClick={() => setResolving(true)}>
            {t('watch.resolve')}
          </button>
        </div>
      )}
      {canAct && live && resolving && (
        <form class="resolve-form" onSubmit={(e) => void resolve(e)} data-testid="resolve-form">
          <SelectField
            id={`${idPrefix}-outcome`}
            label={t('watch.outcome')}
            value={outcome}
            onValue={(value) => setOutcome(value as AlertOutcome)}
            options={OUTCOMES.map((value) => ({ value, label: t(`watch.outcomes.${value}`) }))}
          />
          <FormField id={`${idPrefix}-note`} label={t('watch.note')} messages={[]}>
            {(control) => <textarea {...control} rows={3} maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />}
          </FormField>
          <FormActions
            busy={busy}
            submitClass="primary big-action"
            submitLabel={t('watch.record')}
            cancelLabel={t('common.cancel')}
            onCancel={() => setResolving(false)}
            lockCancel
          />
        </form>
      )}

      {canAct && alert.status === 'resolved' && alert.outcome === 'needs_help' && mayRefer(session.roles) && (
        <ReferralPanel source="watch_alert" sourceId={alert.id} householdId={household.id} startOpen={referNow} />
      )}
      {onDone && (
        <div class="actions">
          <button type="button" class="secondary" data-testid="referral-next-done" onClick={onDone}>
            {t('watch.referralNext.done')}
          </button>
        </div>
      )}

      {showTimeline ? (
        <div class="alert-timeline-wrap">
          <p class="timeline-heading">{t('watch.timeline')}</p>
          <AlertTimeline events={alert.events} />
        </div>
      ) : (
        alert.events.length > 0 && (
          <details class="alert-timeline-wrap">
            <summary>{t('watch.timelineCount', { count: alert.events.length })}</summary>
            <AlertTimeline events={alert.events} />
          </details>
        )
      )}
    </li>
  );
}
