import { sql, type Kysely } from 'kysely';
import type { JobPayloads, QueueName } from '../../server/src/platform/jobs/jobs.js';
import '../../server/src/modules.js';

/**
 * Makes a queue's waiting jobs due now, as if the clock had moved on to their time (a
 * deadline, the next tier): only jobs still waiting (`created`, or `retry` after a failure), and of those only the ones
 * whose payload has the given values (`{ drillId }`, `{ tier: 'volunteers' }`). Returns how
 * many jobs it moved. Tests use this rather than writing pg-boss's tables themselves.
 */
export async function makeDue<Q extends QueueName>(db: Kysely<any>, queue: Q, match: Partial<JobPayloads[Q]> = {}): Promise<number> {
  const result = await sql`
    update pgboss.job set start_after = now()
    where name = ${queue} and state in ('created', 'retry') and data @> ${JSON.stringify(match)}::jsonb`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
