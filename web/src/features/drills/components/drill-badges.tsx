import type { DrillSummary, TargetView } from '../../../../../server/src/contracts/drills.js';
import { type SafetyStatus } from '../../../lib/api.js';
import { t } from '../../../lib/i18n.js';

export function KindBadge({ kind, large = false }: { kind: DrillSummary['kind']; large?: boolean }) {
  return (
    <span class={`kind-badge kind-${kind}${large ? ' large' : ''}`} data-kind={kind}>
      {t(`drills.kinds.${kind}`)}
    </span>
  );
}

export function DrillStatusChip({ status }: { status: DrillSummary['status'] }) {
  return (
    <span class={`status-chip drill-status-${status}`} data-status={status}>
      {t(`drills.statuses.${status}`)}
    </span>
  );
}

export function SafetyChip({ status }: { status: SafetyStatus | 'absent' | 'unanswered' }) {
  return (
    <span class={`safety-chip safety-${status}`} data-status={status}>
      {t(`drills.safety.${status}`)}
    </span>
  );
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
