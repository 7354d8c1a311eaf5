import { useState } from 'preact/hooks';
import type { Dashboard } from '../../../../../server/src/contracts/drills.js';
import { api, ApiError } from '../../../lib/api.js';
import { ErrorAlert } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { formatShortDateTime, joinParts } from '../../../lib/format.js';
import { DrillStatusChip, KindBadge, SafetyChip } from './drill-badges.js';
import { t } from '../../../lib/i18n.js';
import { Link, navigate } from '../../../lib/router.js';
import { BlockTable } from './block-table.js';
import { ShelterHeadcount } from '../../shelters/components/shelter-headcount.js';
import { ResponseCurve } from './response-curve.js';
import { UnansweredRow } from './unanswered-row.js';
import { FollowUpCard, FollowUpSection, SkipNotice } from './target-card.js';
import { DrillSummary } from './drill-summary.js';

export function DashboardView({ data, officer, onRecorded }: { data: Dashboard; officer: boolean; onRecorded: () => void }) {
  const { drill, counts } = data;
  const [ending, setEnding] = useState(false);
  const [endError, setEndError] = useState<unknown>(null);

  async function end() {
    if (!window.confirm(t('drills.dashboard.confirmEnd', { title: drill.title, unanswered: counts.total - counts.accounted }))) return;
    setEnding(true);
    setEndError(null);
    try {
      await api.endDrill(drill.id);
      navigate(`/drills/${drill.id}/report`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) navigate(`/drills/${drill.id}/report`);
      else {
        setEndError(err);
        setEnding(false);
      }
    }
  }

  return (
    <>
      <div class="drill-head">
        <p class="badges">
          <KindBadge kind={drill.kind} large />
          <DrillStatusChip status={drill.status} />
        </p>
        <PageHeading>{drill.title}</PageHeading>
        <p class="muted">
          {joinParts([
            t('drills.startedAt', { date: formatShortDateTime(drill.startedAt) }),
            t('drills.deadlineAt', { date: formatShortDateTime(drill.deadlineAt) }),
            drill.endedAt && t('drills.endedAt', { date: formatShortDateTime(drill.endedAt) }),
          ])}
        </p>
      </div>
      {drill.status === 'ended' && (
        <p class="alert alert-success" role="status">
          {t('drills.dashboard.ended')} <Link href={`/drills/${drill.id}/report`}>{t('drills.report.link')}</Link>
        </p>
      )}

      <DrillSummary
        counts={counts}
        medianSeconds={data.medianSecondsToAnswer}
        label={t('drills.dashboard.summary')}
        testid="drill"
        live
        medianNote={<span class="big-stat-sub muted">{t('drills.dashboard.medianHint')}</span>}
      />

      {officer && drill.status === 'active' && (
        <section class="section end-drill" aria-labelledby="end-heading">
          <h2 id="end-heading">{t('drills.dashboard.endHeading')}</h2>
          <p class="hint">{t('drills.dashboard.endHint')}</p>
          {endError ? <ErrorAlert error={endError} /> : null}
          <button type="button" class="danger" disabled={ending} onClick={() => void end()}>
            {t('drills.dashboard.end')}
          </button>
        </section>
      )}

      <SkipNotice skips={data.skips} />

      <section class="section" aria-labelledby="blocks-heading">
        <h2 id="blocks-heading">{t('drills.dashboard.byBlock')}</h2>
        <BlockTable rows={data.byBlock} />
      </section>

      <section class="section" aria-labelledby="shelters-heading">
        <h2 id="shelters-heading">{t('shelters.headcount.heading')}</h2>
        <ShelterHeadcount rows={data.byShelter} />
      </section>

      <section class="section" aria-labelledby="curve-heading">
        <h2 id="curve-heading">{t('drills.dashboard.curve')}</h2>
        <ResponseCurve data={data} />
      </section>

      <FollowUpSection id="followup-heading" title={t('drills.dashboard.followUp')} empty={t('drills.dashboard.noFollowUp')} targets={data.needsFollowUp}>
        {(target) => (
          <FollowUpCard
            key={target.householdId}
            target={target}
            class={`card target-row follow-up safety-border-${target.status}`}
            testid="follow-up-row"
            chip={target.status && <SafetyChip status={target.status} />}
          />
        )}
      </FollowUpSection>

      <section class="section" aria-labelledby="unanswered-heading">
        <h2 id="unanswered-heading">
          {t('drills.dashboard.unanswered')} <span class="count-pill">{data.counts.total - data.counts.accounted}</span>
        </h2>
        <p class="hint">{t('drills.dashboard.unansweredHint')}</p>
        <p class="actions">
          <Link href={`/drills/${drill.id}/tasks`} class="button secondary">
            {t('drills.home.tasks')}
          </Link>
        </p>
        {data.unanswered.length === 0 ? (
          <p class="card all-done" data-testid="no-unanswered">
            {t('drills.dashboard.allAccounted')}
          </p>
        ) : (
          <ul class="card-list target-list">
            {data.unanswered.map((target) => (
              <UnansweredRow key={target.householdId} drillId={drill.id} target={target} active={drill.status === 'active'} onRecorded={onRecorded} />
            ))}
          </ul>
        )}
      </section>

    </>
  );
}
