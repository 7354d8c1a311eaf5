import type { z } from 'zod';
import type { Actor } from '../common/access.js';
import { associationTimeZone } from '../common/association.repository.js';
import { DEFAULT_TIME_ZONE } from '../common/local-time.js';
import type { ServiceContext } from '../common/service-context.js';
import { HISTORY_ACTIONS, type DirectoryHistory, type DirectoryHistoryItem, type historyQuerySchema } from '../contracts/directory.js';
import { HttpError } from '../platform/http/errors.js';
import { directoryPolicy } from './directory.policy.js';
import type { DirectoryAccount } from './directory-accounts.service.js';
import { cityOf } from './directory-city.service.js';
import { historyCursorVisible, historyPage, JOB_ACTIONS, type HistoryRow, type HistoryScope } from './directory-history.repository.js';

/**
 * 変更履歴: who changed which entry, when and which fields, from the directory's audit. An
 * officer sees their association's entries' (in its time zone, with the officers' names); a
 * city editor their city's, an organisation its own (in the deployment's zone; an officer is
 * named only as an officer: residents' names stay in their association; a city editor as
 * 「市の担当者」 without their login, an email).
 */

type Ctx = Pick<ServiceContext, 'db'>;
type Query = z.output<typeof historyQuerySchema>;

/** Who reads the history: decided (403 for anyone else) before anything is read. */
export type HistoryViewer = { kind: 'officer'; actor: Actor } | { kind: 'account'; account: DirectoryAccount };

const ACTIONS = HISTORY_ACTIONS.map((a) => `directory.${a}`);
const BY_THE_JOB = new Set(JOB_ACTIONS);

export async function directoryHistory(ctx: Ctx, viewer: HistoryViewer, query: Query): Promise<DirectoryHistory> {
  const { scope, timeZone } = await scopeOf(ctx, viewer);
  // One more than asked: whether there is an older page.
  const rows = await historyPage(ctx.db, scope, { actions: ACTIONS, before: query.before ?? null, limit: query.limit + 1 });
  // A cursor is the `next` of a page this viewer was given: any other row (another owner's, or
  // none) is a bad request, not an empty page. The page looked it up in the scope already; only
  // an empty page leaves the question open.
  if (query.before !== undefined && !rows.length && !(await historyCursorVisible(ctx.db, scope, ACTIONS, query.before))) {
    throw HttpError.badRequest('Not the `next` of a page of this history.', 'before');
  }
  const page = rows.slice(0, query.limit);
  return {
    timeZone,
    items: page.map((r) => item(r, viewer.kind === 'officer' ? 'officer' : viewer.account.role)),
    next: rows.length > query.limit ? page[page.length - 1]!.id : null,
  };
}

async function scopeOf(ctx: Ctx, viewer: HistoryViewer): Promise<{ scope: HistoryScope; timeZone: string }> {
  if (viewer.kind === 'officer') {
    directoryPolicy.edit(viewer.actor);
    return { scope: { associationId: viewer.actor.associationId }, timeZone: await associationTimeZone(ctx.db, viewer.actor.associationId) };
  }
  const { account } = viewer;
  if (account.role === 'organisation') {
    if (!account.organisationId) throw HttpError.forbidden('This account has no organisation.');
    return { scope: { organisationId: account.organisationId }, timeZone: DEFAULT_TIME_ZONE };
  }
  return { scope: { cityAreaId: cityOf(account) }, timeZone: DEFAULT_TIME_ZONE };
}

/** What a viewer learns of the actor: officers' names only to officers; logins to officers and city editors (an organisation, its own accounts' only). */
function item(r: HistoryRow, viewer: 'officer' | 'city_editor' | 'organisation'): DirectoryHistoryItem {
  const detail = r.detail ?? {};
  return {
    id: r.id,
    at: r.at.toISOString(),
    serviceId: r.service_id,
    service: r.service,
    action: r.action.replace(/^directory\./, '') as DirectoryHistoryItem['action'],
    fields: fieldsOf(detail.fields),
    imported: r.action === 'directory.imported' ? importedOf(detail) : null,
    actor: r.account_role ? { kind: r.account_role, name: r.account_name, login: viewer !== 'organisation' || r.account_role === 'organisation' ? r.account_login : null }
      // The daily freshness job acts alone; a row by a person is an officer's; a row with neither is by an account (or person) deleted since (their keys set null).
      : BY_THE_JOB.has(r.action) ? { kind: 'system', name: null, login: null }
      : r.by_person ? { kind: 'officer', name: viewer === 'officer' ? r.person_name : null, login: null }
      : { kind: 'deleted', name: null, login: null },
    reason: typeof detail.reason === 'string' ? detail.reason : '',
  };
}

/** An import's counts, as importDirectory wrote them in its audit detail (rows of the file; its summary). */
function importedOf(detail: Record<string, unknown>): NonNullable<DirectoryHistoryItem['imported']> {
  const summary = (detail.summary ?? {}) as Record<string, unknown>;
  const count = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) ? value : 0);
  return { rows: count(detail.rows), created: count(summary.created), updated: count(summary.updated), unchanged: count(summary.unchanged) };
}

/**
 * The columns a change named: an editor's update lists them; a proposal and a review hold the
 * values by column (the organisation's pending change).
 */
function fieldsOf(fields: unknown): string[] {
  if (Array.isArray(fields)) return fields.map(String);
  if (fields && typeof fields === 'object') return Object.keys(fields);
  return [];
}
