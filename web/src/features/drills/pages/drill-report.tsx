import type { DrillReport } from '../../../../../server/src/contracts/drills.js';
import { api, ApiError } from '../../../lib/api.js';
import { Bar } from '../../../ui/bar.js';
import { DataTable } from '../../../ui/data-table.js';
import { ErrorAlert, Loading } from '../../../ui/alerts.js';
import { PageHeading } from '../../../ui/page-heading.js';
import { formatDuration, formatShortDateTime, joinParts } from '../../../lib/format.js';
import { useTitle } from '../../../lib/hooks.js';
import { KindBadge, RiskTags, SafetyChip, percentOf } from '../components/drill-badges.js';
import { t } from '../../../lib/i18n.js';
import { Link } from '../../../lib/router.js';
import { isCaptain, useRequiredSession } from '../../../lib/session.js';
import { BlockTable } from '../components/block-table.js';
import { ShelterHeadcount } from '../../shelters/components/shelter-headcount.js';
import { DrillSummary } from '../components/drill-summary.js';
import { FollowUpCard, FollowUpSection, skippedText } from '../components/target-card.js';
import { useResource } from '../../../lib/use-resource.js';

/** /drills/:id/report: what happened, how fast, through which channel, compared with before. */
export function DrillReportPage({ id }: { id: string }) {
  const session = useRequiredSession();
  const listed = session.roles.officer || isCaptain(session.roles);
  const state = useResource((signal) => api.drillReport(id, signal), {
    deps: [id],
    events: ['drill:ended'],
    filter: { 'drill:ended': (event) => event.drillId === id },
    onReconnect: false,
  });
  const report = state.data;
  useTitle(report ? t('drills.report.title', { title: report.drill.title }) : t('drills.report.heading'));
  const notYet = state.error instanceof ApiError && state.error.status === 409;

  return (
    <div class="stack">
      <p class="no-print">
        {/* 班長 reach their 班's reports from the list too. */}
        <Link href={listed ? '/drills' : '/'}>{listed ? t('drills.backToList') : t('drills.backHome')}</Link>
      </p>
      {!report && <PageHeading>{t('drills.report.heading')}</PageHeading>}
      {notYet && (
        <p class="card" data-testid="report-not-ready">
          {t('drills.report.notReady')} <Link href={`/drills/${id}`}>{t('drills.home.dashboard')}</Link>
        </p>
      )}
      {state.error && !notYet ? <ErrorAlert error={state.error} /> : null}
      {state.loading && !report && !state.error && <Loading />}
      {report && <ReportView report={report} officer={session.roles.officer} />}
    </div>
  );
}

function timelineLabel(what: string, blocks: DrillReport['byBlock']): string {
  // "skipped:<block>:captain+volunteers:officers": a 班's households went past tiers nobody could be reached in.
  const [kind, blockId, skipped, to] = what.split(':');
  if (kind === 'skipped' && blockId && skipped && to) {
    const block = blocks.find((b) => b.blockId === blockId)?.blockName ?? '';
    return t('drills.skips.line', { block, because: skippedText(skipped.split('+') as ('captain' | 'volunteers')[]), to: t(`drills.tiers.${to}`) });
  }
  const key = `drills.timeline.${what.replace(':', '_')}`;
  const label = t(key);
  return label === key ? what : label;
}

function ReportView({ report, officer }: { report: DrillReport; officer: boolean }) {
  const { drill, counts } = report;
  const rate = percentOf(counts.accounted, counts.total);
  const channels = ['app', 'speaker', 'proxy', 'visit'] as const;
  const channelMax = Math.max(1, ...channels.map((c) => report.byChannel[c]));
  return (
    <article class="drill-report" data-testid="drill-report">
      <p class="badges">
        <KindBadge kind={drill.kind} large />
      </p>
      <PageHeading>{t('drills.report.title', { title: drill.title })}</PageHeading>
      <p class="muted">
        {joinParts([t('drills.startedAt', { date: formatShortDateTime(drill.startedAt) }), drill.endedAt && t('drills.endedAt', { date: formatShortDateTime(drill.endedAt) })])}
      </p>
      {report.scope.kind === 'blocks' && (
        <p class="card" data-testid="report-scope">
          {t('drills.report.scopeBlocks', { blocks: report.scope.blockNames.join('・') })}
        </p>
      )}
      {(officer || report.scope.kind === 'blocks') && (
        <p class="no-print actions">
          <a href={api.drillReportCsvUrl(drill.id)} class="button secondary" download data-testid="report-csv">
            {t('drills.report.csv')}
          </a>
          <button type="button" class="secondary" onClick={() => window.print()}>
            {t('drills.report.print')}
          </button>
        </p>
      )}

      <DrillSummary
        counts={counts}
        medianSeconds={report.medianSecondsToAnswer}
        label={t('drills.report.summary')}
        testid="report"
        medianNote={
          <span class="big-stat-sub all-accounted" data-testid="report-all-accounted">
            {report.secondsUntilAllAccounted === null
              ? t('drills.report.allAccountedNotComplete')
              : t('drills.report.allAccounted', { duration: formatDuration(report.secondsUntilAllAccounted) })}
          </span>
        }
      />

      <section class="section" aria-labelledby="report-blocks-heading">
        <h2 id="report-blocks-heading">{t('drills.dashboard.byBlock')}</h2>
        <BlockTable rows={report.byBlock} />
      </section>

      <section class="section" aria-labelledby="report-shelters-heading">
        <h2 id="report-shelters-heading">{t('shelters.headcount.heading')}</h2>
        <ShelterHeadcount rows={report.byShelter} />
      </section>

      <section class="section" aria-labelledby="report-channels-heading">
        <h2 id="report-channels-heading">{t('drills.report.byChannel')}</h2>
        <ul class="plain tally-list" data-testid="report-channels">
          {channels.map((channel) => (
            <li key={channel} class="tally">
              <span class="tally-label">{t(`drills.channels.${channel}`)}</span>
              <span class="tally-count">{t('drills.householdCount', { count: report.byChannel[channel] })}</span>
              <Bar value={report.byChannel[channel]} max={channelMax} />
            </li>
          ))}
        </ul>
      </section>

      <section class="section" aria-labelledby="report-timeline-heading">
        <h2 id="report-timeline-heading">{t('drills.report.timeline')}</h2>
        <ol class="timeline" data-testid="report-timeline">
          {report.timeline.map((entry, index) => (
            <li key={index} data-what={entry.what}>
              <time dateTime={entry.at} class="timeline-time">
                {formatShortDateTime(entry.at)}
              </time>{' '}
              <span class="timeline-what">{timelineLabel(entry.what, report.byBlock)}</span>
            </li>
          ))}
        </ol>
      </section>

      <FollowUpSection id="report-followup-heading" title={t('drills.report.followUp')} empty={t('drills.report.noFollowUp')} targets={report.followUp}>
        {(target) => (
          <FollowUpCard
            key={target.householdId}
            target={target}
            class={`card target-row${target.status ? ` safety-border-${target.status}` : ''}`}
            testid="report-followup-row"
            chip={<SafetyChip status={target.status ?? (target.visitOutcome === 'absent' ? 'absent' : 'unanswered')} />}
            tags={<RiskTags risk={target.risk} />}
            answeredOnly
          />
        )}
      </FollowUpSection>

      <section class="section" aria-labelledby="report-previous-heading">
        <h2 id="report-previous-heading">{t('drills.report.previous')}</h2>
        <DataTable
          testid="report-previous"
          rows={[{ ...report, current: true } as const, ...report.previous.map((previous) => ({ ...previous, current: false }) as const)]}
          rowKey={(row) => (row.current ? 'current' : row.id)}
          rowProps={(row) => (row.current ? { class: 'current-row' } : { 'data-testid': 'report-previous-row' })}
          columns={[
            { label: t('drills.report.date'), cell: (row) => formatShortDateTime(row.current ? drill.startedAt : row.startedAt) },
            {
              label: t('drills.fields.title'),
              cell: (row) =>
                row.current ? (
                  <>
                    {drill.title} <span class="chip">{t('drills.report.thisOne')}</span>
                  </>
                ) : (
                  <Link href={`/drills/${row.id}/report`}>{row.title}</Link>
                ),
            },
            { label: t('drills.report.responseRate'), class: 'num', cell: (row) => `${row.current ? rate : Math.round(row.responseRate * 100)}%` },
            { label: t('drills.dashboard.median'), class: 'num', cell: (row) => formatDuration(row.medianSecondsToAnswer) },
            {
              label: t('drills.report.allAccountedLabel'),
              class: 'num',
              cell: (row) => (row.secondsUntilAllAccounted === null ? t('drills.report.notComplete') : formatDuration(row.secondsUntilAllAccounted)),
            },
          ]}
        />
        {report.previous.length === 0 && <p class="muted">{t('drills.report.noPrevious')}</p>}
      </section>
    </article>
  );
}
