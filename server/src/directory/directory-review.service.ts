import type { Actor } from '../common/access.js';
import { audit } from '../common/audit.repository.js';
import { DEFAULT_TIME_ZONE, localDate } from '../common/local-time.js';
import type { ServiceContext } from '../common/service-context.js';
import type { ReviewItem } from '../contracts/directory-accounts.js';
import { inTransaction } from '../platform/db/transaction.js';
import { HttpError } from '../platform/http/errors.js';
import { directoryPolicy } from './directory.policy.js';
import { fieldChanges, type DirectoryAccount } from './directory-accounts.service.js';
import { cityOf } from './directory-city.service.js';
import * as repo from './directory-accounts.repository.js';
import { restoreFresh } from './directory-freshness.repository.js';

/**
 * The review of organisations' changes: an officer reviews the changes to their association's
 * entries, a city editor the changes to their city's entries. Approving publishes the change (and counts as the
 * entry's confirmation); rejecting keeps the published values and tells the organisation why.
 * Every decision is audited.
 */

type Ctx = Pick<ServiceContext, 'db' | 'log'>;

/** Who reviews: an officer (their association's entries) or a city editor (their city's). */
export type Reviewer = { kind: 'officer'; actor: Actor } | { kind: 'city'; account: DirectoryAccount };

function scopeOf(reviewer: Reviewer): repo.ReviewScope {
  if (reviewer.kind === 'officer') {
    directoryPolicy.edit(reviewer.actor);
    return { associationId: reviewer.actor.associationId };
  }
  return { cityAreaId: cityOf(reviewer.account) };
}

export async function reviewList(ctx: Ctx, reviewer: Reviewer): Promise<{ items: ReviewItem[] }> {
  const rows = await repo.reviewQueue(ctx.db, scopeOf(reviewer));
  return {
    items: rows.map((r) => ({
      id: r.id, serviceId: r.service_id, service: String(r.service.name ?? ''), organisation: r.organisation, submittedBy: r.submitted_by,
      createdAt: r.created_at.toISOString(), changes: fieldChanges(r.service, r.fields),
    })),
  };
}

export async function decide(ctx: Ctx, reviewer: Reviewer, id: string, decision: { status: 'approved' | 'rejected'; reason: string }) {
  const scope = scopeOf(reviewer);
  const who = reviewer.kind === 'officer' ? { personId: reviewer.actor.personId, accountId: null } : { personId: null, accountId: reviewer.account.id };
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const change = await repo.changeToReview(tx.db, scope, id);
    if (!change) throw HttpError.notFound('change');
    await repo.markReviewed(tx.db, id, { ...decision, ...who });
    if (decision.status === 'approved') {
      // The entry as it would show must still give a way to reach it (the editor may have
      // cleared a contact since the change was proposed): a 400 to reject it, not a 500.
      const after = { ...change.service, ...change.fields };
      if (!directoryPolicy.reachable(after)) {
        throw new HttpError(400, 'no_contact', 'Approved, this entry would show with no phone number, web address or address: reject the change instead.', 'phone');
      }
      // A change may hold one half of a pin whose other half the editor has changed since (or cleared): never save half a pin.
      const half = directoryPolicy.halfPin(after);
      if (half) throw new HttpError(400, 'half_pin', 'Approved, this entry would have half a map position (latitude and longitude go together): reject the change instead.', half);
      // Approved values count as confirmed today (the entry's association's day): an entry the freshness job had set aside is current again.
      await repo.publishFields(tx.db, change.service_id, change.fields, localDate(new Date(), change.time_zone ?? DEFAULT_TIME_ZONE));
      await restoreFresh(tx.db, change.service_id);
    }
    const action = decision.status === 'approved' ? 'directory.change.approve' : 'directory.change.reject';
    const detail = { change: id, fields: change.fields, reason: decision.reason };
    await repo.directoryAudit(tx.db, { ...who, action, subject: change.service_id, detail });
    if (reviewer.kind === 'officer') await audit(tx.db, { associationId: reviewer.actor.associationId, actorPersonId: reviewer.actor.personId, action, subject: change.service_id, detail });
    return { id, status: decision.status };
  });
}
