import { associationTimeZone } from '../common/association.repository.js';
import { localDate } from '../common/local-time.js';
import type { ServiceContext } from '../common/service-context.js';
import { referralRoutes } from '../contracts/referrals.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import { stringifyCsv, utf8WithBom } from '../platform/http/csv.js';
import { createReferral, householdReferrals, referralCounts, servicesFor } from './referral.service.js';

const worryLabel: Record<string, string> = {
  care: '介護', loneliness: '孤独・孤立', child_rearing: '子育て', money: 'お金', health: '健康', housing: '住まい', violence: '家庭内の暴力',
  work: '仕事', disability: '障害', food: '食べもの', general: 'なんでも相談',
};

export function registerReferralRoutes(api: ApiRouter, ctx: ServiceContext) {
  api.handle(referralRoutes.services, async ({ actor, query }) => servicesFor(ctx, actor, query.worries));
  api.handle(referralRoutes.create, async ({ actor, body }) => createReferral(ctx, actor, body));
  api.handle(referralRoutes.household, async ({ actor, params }) => householdReferrals(ctx, actor, params.householdId));
  api.handle(referralRoutes.counts, async ({ actor, query }) => referralCounts(ctx, actor, query.months));
  api.handle(referralRoutes.countsCsv, async ({ actor, query, res }) => {
    const counts = await referralCounts(ctx, actor, query.months);
    const zone = await associationTimeZone(ctx.db, actor.associationId);
    // 1 or 2 is written as 1〜2 (never the number), a withheld month's 班 as 非表示: the same rule as the page.
    const shown = (n: number | null) => (n === null ? '1〜2' : n);
    const csv = stringifyCsv([
      ['月', '区分', '項目', '件数'],
      ...counts.byWorry.map((r) => [r.month, '悩み', worryLabel[r.worry] ?? r.worry, shown(r.count)]),
      ...counts.byBlock.map((r) => [r.month, '班', r.blockName, shown(r.count)]),
      ...counts.blocksWithheld.map((m) => [m, '班', '（すべての班）', '非表示']),
    ]);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="referrals-${localDate(new Date(), zone)}.csv"`);
    res.send(utf8WithBom(csv));
  });
}
