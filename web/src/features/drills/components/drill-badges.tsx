import type { DrillSummary, TargetView } from '../../../../../server/src/contracts/drills.js';
import { type SafetyStatus } from '../../../lib/api.js';
import { t } from '../../../lib/i18n.js';
import { StateChip } from '../../../ui/state-chip.js';

export function KindBadge({ kind, large = false }: { kind: DrillSummary['kind']; large?: boolean }) {
  return <StateChip class={`kind-badge kind-${kind}${large ? ' large' : ''}`} name="kind" value={kind} label={t(`drills.kinds.${kind}`)} />;
}

export function DrillStatusChip({ status }: { status: DrillSummary['status'] }) {
  return <StateChip class={`status-chip drill-status-${status}`} value={status} label={t(`drills.statuses.${status}`)} />;
}

export function SafetyChip({ status }: { status: SafetyStatus | 'absent' | 'unanswered' }) {
  return <StateChip class={`safety-chip safety-${status}`} value={status} label={t(`drills.safety.${status}`)} />;
}

export function RiskTags({ risk }: { risk: TargetView['risk'] }) {
  if (risk.length === 0) return null;
  return (
    <span class="badges">
      {risk.map((tag) => (
        <span key={tag} class={`chip risk-tag risk-${tag}`} data-risk={tag}>
          {t(`drills.risk.${tag}`)}
        </span>
      ))}
    </span>
  );
}

export function percentOf(part: number, total: number): number {
  return total > 0 ? Math.round((part / total) * 100) : 0;
}
