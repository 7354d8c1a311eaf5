import type { z } from 'zod';
import { requireVisible, type Actor } from '../common/access.js';
import { audit } from '../common/audit.repository.js';
import { associationTimeZone } from '../common/association.repository.js';
import { localDate } from '../common/local-time.js';
import type { ServiceContext } from '../common/service-context.js';
import type { Worry } from '../contracts/directory.js';
import { REFERRAL_COUNT_THRESHOLD, type Referral, type ReferralCounts, type referralBodySchema } from '../contracts/referrals.js';
import { associationArea } from '../directory/directory.repository.js';
import { assertCurrentServices } from './help-links.service.js';
import { search } from '../directory/directory.service.js';
import { drillPolicy } from '../drills/drill.policy.js';
import { targetOf, visibleDrill } from '../drills/summary.service.js';
import { findHousehold } from '../roster/roster.repository.js';
import { loadAlerts } from '../watch/alert.service.js';
import { audienceFor, mayActOnAlert, watchScope } from '../watch/watch.policy.js';
import { inTransaction } from '../platform/db/transaction.js';
import { HttpError } from '../platform/http/errors.js';
import { referralPolicy } from './referral.policy.js';
import { countsByBlock, countsByWorry, findReferral, insertReferral, referralRows } from './referral.repository.js';

type Body = z.output<typeof referralBodySchema>;

/**
 * Referring a household that needs help to the local support directory: the services for its
 * area (the directory's own search, from the association's area: most local first), recording
 * a referral (authorised by its source's rule, the service checked current, the row and its
 * audit in one transaction), a household's referrals, and the officers' counts.
 */

/** The directory's search from the association's area (a household is in its association's area); none without an area. */
export async function servicesFor(ctx: ServiceContext, actor: Actor, worries: Worry[]) {
  referralPolicy.refers(actor);
  // Reading never writes: an association without a directory area has no services to offer.
  const area = await associationArea(ctx.db, actor.associationId);
  if (!area) return { area: { code: '', name: '', kind: 'association' }, areas: [], general: worries.length === 0, results: [] };
  return search(ctx, { worries, area: area.code });
}

/** The household's 班, after the source's own rule (404 when not the actor's to act on; 409 unless it found a need). */
async function sourceOf(ctx: ServiceContext, actor: Actor, body: Body): Promise<{ blockId: string }> {
  if (body.source === 'watch_alert') {
    const [loaded] = await loadAlerts(ctx.db, { associationId: actor.associationId, ids: [body.sourceId], visibleTo: watchScope(actor) });
    const mayAct = !!loaded && loaded.alert.household.id === body.householdId
      && mayActOnAlert(loaded.alert, audienceFor(actor, { id: loaded.alert.household.id, blockId: loaded.blockId }, loaded.consent));
    requireVisible(mayAct, 'alert');
    if (!referralPolicy.followsNeed({ kind: 'watch_alert', status: loaded!.alert.status, outcome: loaded!.alert.outcome })) {
      throw HttpError.conflict('A referral follows an alert resolved as “needs help”.');
    }
    return { blockId: loaded!.blockId };
  }
  await visibleDrill(ctx, actor, body.sourceId);
  const target = await targetOf(ctx, body.sourceId, body.householdId);
  requireVisible(drillPolicy.canHandleTask(actor, { blockId: target.block_id, tier: target.tier }), 'household');
  if (!referralPolicy.followsNeed({ kind: 'drill_visit', status: target.status })) {
    throw HttpError.conflict('A referral follows a visit that found the household needs help.');
  }
  return { blockId: target.block_id };
}

function view(r: Awaited<ReturnType<typeof referralRows>>[number]): Referral {
  return {
    id: r.id, createdAt: r.created_at.toISOString(), source: r.source, serviceId: r.service_id, serviceName: r.service_name,
    organisation: r.organisation, phone: r.phone, worries: r.worries as Worry[], referredBy: r.referred_by,
  };
}

/** Records a referral once per source and service; the referral and its audit row are one transaction. */
export async function createReferral(ctx: ServiceContext, actor: Actor, body: Body): Promise<Referral> {
  referralPolicy.refers(actor);
  const { blockId } = await sourceOf(ctx, actor, body);
  await assertCurrentServices(ctx.db, actor.associationId, [body.serviceId], 'serviceId');
  const watchAlertId = body.source === 'watch_alert' ? body.sourceId : null;
  const drillId = body.source === 'drill_visit' ? body.sourceId : null;
  const id = await inTransaction(ctx.db, ctx.log, async (tx) => {
    const added = await insertReferral(tx.db, {
      association_id: actor.associationId, household_id: body.householdId, block_id: blockId, source: body.source, watch_alert_id: watchAlertId, drill_id: drillId,
      service_id: body.serviceId, worries: body.worries, consent: body.consent, referred_by: actor.personId,
    });
    if (!added) return (await findReferral(tx.db, { associationId: actor.associationId, householdId: body.householdId, watchAlertId, drillId, serviceId: body.serviceId }))!.id;
    await audit(tx.db, {
      associationId: actor.associationId, actorPersonId: actor.personId, action: 'referral.create', subject: added,
      detail: { source: body.source, sourceId: body.sourceId, serviceId: body.serviceId, worries: body.worries, consent: true },
    });
    return added;
  });
  return view((await referralRows(ctx.db, { associationId: actor.associationId, ids: [id] }))[0]!);
}

/**
 * A household's referrals: all of them for officers and the household's 班長, those one made for
 * whoever made them; nothing (404) for the household itself or its family, as a worry (violence at
 * home, say) may be about them.
 */
export async function householdReferrals(ctx: ServiceContext, actor: Actor, householdId: string) {
  const household = await findHousehold(ctx.db, householdId);
  requireVisible(!!household && household.association_id === actor.associationId, 'household');
  const all = referralPolicy.seesHouseholdReferrals(actor, { blockId: household!.block_id });
  const rows = await referralRows(ctx.db, { associationId: actor.associationId, householdId, ...(all ? {} : { referredBy: actor.personId }) });
  requireVisible(all || rows.length > 0, 'household');
  return { items: rows.map(view) };
}

/** The last `months` months (this one included) as YYYY-MM, oldest first, in `timeZone`. */
export function monthsBack(months: number, now: Date, timeZone: string): string[] {
  const [year, month] = localDate(now, timeZone).split('-').map(Number) as [number, number];
  return Array.from({ length: months }, (_, i) => {
    const index = year * 12 + (month - 1) - (months - 1 - i);
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  });
}

/** Households per worry and per 班 per month (officers): no names; 1 or 2 shown as null, and a month with any such cell withholds its 班 (referralPolicy.shownMonth). */
export async function referralCounts(ctx: ServiceContext, actor: Actor, months: number): Promise<ReferralCounts> {
  referralPolicy.seesCounts(actor);
  const timeZone = await associationTimeZone(ctx.db, actor.associationId);
  const [byWorry, byBlock] = await Promise.all([
    countsByWorry(ctx.db, actor.associationId, months, timeZone),
    countsByBlock(ctx.db, actor.associationId, months, timeZone),
  ]);
  const result: ReferralCounts = { months: monthsBack(months, new Date(), timeZone), threshold: REFERRAL_COUNT_THRESHOLD, byWorry: [], byBlock: [], blocksWithheld: [] };
  for (const m of [...new Set([...byWorry, ...byBlock].map((r) => r.month))].sort()) {
    const worries = byWorry.filter((r) => r.month === m);
    const blocks = byBlock.filter((r) => r.month === m);
    const shown = referralPolicy.shownMonth(worries.map((r) => r.count), blocks.map((r) => r.count));
    worries.forEach((r, i) => result.byWorry.push({ month: m, worry: r.worry as Worry, count: shown.worries[i]! }));
    if (shown.blocks === 'withheld') result.blocksWithheld.push(m);
    else blocks.forEach((r, i) => result.byBlock.push({ month: m, blockId: r.block_id, blockName: r.block_name, count: (shown.blocks as number[])[i]! }));
  }
  return result;
}
