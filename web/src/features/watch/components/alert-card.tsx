import { useState } from 'preact/hooks';
import type { Alert } from '../../../../../server/src/contracts/watch.js';
import { api, ApiError, type AlertOutcome } from '../../../lib/api.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { formatShortDateTime, formatTime, joinParts, paren, relativeTime } from '../../../lib/format.js';
import { useNow } from '../../../lib/hooks.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { MemberPhones } from '../../../ui/member-phones.js';
import { TierBadge, AlertStatusChip, AlertTimeline } from './alert-badges.js';
import { findAlert } from './alerts.js';

/** Shared pieces of the watching (見守り) pages. */

export const OUTCOMES: AlertOutcome[] = ['fine', 'needs_help', 'hospital', 'away', 'device_fixed', 'false_alarm', 'other'];

/**
 * One watch alert: what happened, at which home, who to call, and "I'll go" / "record what
 * happened". `canAct` is false for the household's own members (they are the ones watched).
 */
export function AlertCard({
  alert,
  canAct,
  onChange,
  headingLevel = 3,
  showTimeline = false,
  linkHousehold = true,
}: {
  alert: Alert;
  canAct: boolean;
  onChange: (alert: Alert) => void;
  headingLevel?: 2 | 3;
  showTimeline?: boolean;
  linkHousehold?: boolean;
}) {
  const now = useNow();
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

  async function take() {
    setBusy(true);
    setError(null);
    setConflict(null);
    try {
      onChange(await api.takeAlert(alert.id));
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        // Someone else took it (or it closed): show who, from the fresh state.
        const fresh = await findAlert(alert.id);
        if (fresh) onChange(fresh);
        setConflict(fresh?.takenBy ? t('watch.alreadyTaken', { name: fresh.takenBy }) : t('watch.alreadyClosed'));
      } else {
        setError(err);
      }
    } finally {
      setBusy(false);
    }
  }

  async function resolve(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setConflict(null);
    try {
      onChange(await api.resolveAlert(alert.id, outcome, note.trim()));
      setResolving(false);
      setNote('');
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        const fresh = await findAlert(alert.id);
        if (fresh) onChange(fresh);
        setConflict(t('watch.alreadyClosed'));
        setResolving(false);
      } else {
        setError(err);
      }
    } finally {
      setBusy(false);
    }
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
      <dl class="alert-facts">
        <div>
          <dt>{t('watch.raisedAt')}</dt>
          <dd>
            {formatTime(alert.raisedAt)} <span class="muted">{paren(relativeTime(alert.raisedAt, now))}</span>
          </dd>
        </div>
        {alert.device && (
          <div>
            <dt>{t('watch.device')}</dt>
            <dd>{alert.device.label}</dd>
          </div>
        )}
        {alert.takenBy && (
          <div>
            <dt>{live ? t('watch.takenByLabel') : t('watch.handledBy')}</dt>
            <dd data-testid="alert-taken-by">
              {live ? t('watch.takenBy', { name: alert.takenBy }) : alert.takenBy}
              {alert.takenAt && <span class="muted">{paren(formatTime(alert.takenAt))}</span>}
            </dd>
          </div>
        )}
        {alert.outcome && (
          <div>
            <dt>{t('watch.outcome')}</dt>
            <dd data-testid="alert-outcome">
              {t(`watch.outcomes.${alert.outcome}`)}
              {alert.resolvedAt && <span class="muted">{paren(formatShortDateTime(alert.resolvedAt))}</span>}
            </dd>
          </div>
        )}
        {alert.note && (
          <div>
            <dt>{t('watch.note')}</dt>
            <dd class="notes">{alert.note}</dd>
          </div>
        )}
      </dl>
      {household.responderNotes && (
        <p class="notes responder-notes">
          <strong>{t('household.responderNotes')}:</strong> {household.responderNotes}
        </p>
      )}
      <MemberPhones members={household.members} />

      {conflict && (
        <p class="alert alert-warning" role="alert" data-testid="alert-conflict">
          {conflict}
        </p>
      )}
      {error ? <ErrorAlert error={error} /> : null}

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
          <div class="field">
            <label for={`${idPrefix}-outcome`}>{t('watch.outcome')}</label>
            <select id={`${idPrefix}-outcome`} value={outcome} onChange={(e) => setOutcome(e.currentTarget.value as AlertOutcome)}>
              {OUTCOMES.map((value) => (
                <option key={value} value={value}>
                  {t(`watch.outcomes.${value}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for={`${idPrefix}-note`}>{t('watch.note')}</label>
            <textarea id={`${idPrefix}-note`} rows={3} maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </div>
          <div class="actions">
            <button type="submit" class="primary big-action" disabled={busy}>
              {t('watch.record')}
            </button>
            <button type="button" class="secondary" disabled={busy} onClick={() => setResolving(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
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
