import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { audit } from '../common/audit.repository.js';
import { DEFAULT_TIME_ZONE, localDate } from '../common/local-time.js';
import type { ServiceContext } from '../common/service-context.js';
import type { AccountService, DirectoryAccountView, directoryInviteSchema, organisationChangeSchema, organisationNewServiceSchema } from '../contracts/directory-accounts.js';
import { inTransaction } from '../platform/db/transaction.js';
import { HttpError } from '../platform/http/errors.js';
import { generatePasscode } from '../auth/join.service.js';
import { hashPassword, verifyPassword } from '../auth/password.js';
import { sha256 } from '../auth/session.service.js';
import { directoryPolicy } from './directory.policy.js';
import { insertService, organisationService, organisationNamed, servicesOfOrganisation } from './directory.repository.js';
import { editorView, type Editor } from './directory.service.js';
import * as repo from './directory-accounts.repository.js';
import { restoreFresh } from './directory-freshness.repository.js';

/**
 * The directory's own logins: a directory editor invites an organisation (a one-time code, no
 * mail server), the organisation sets its password and signs in with a session of its own
 * (its own cookie and CSRF token, apart from residents'); it sees only its organisation's
 * services, and what it changes waits for review (directory-review.service.ts).
 */

type Ctx = Pick<ServiceContext, 'db' | 'log' | 'publicUrl'>;

export const DIRECTORY_COOKIE = 'tonari_directory';
const INVITATION_DAYS = 14;
const SESSION_HOURS = 12;
const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The signed-in directory account, as each request loads it. */
export interface DirectoryAccount {
  sessionId: string;
  csrfToken: string;
  id: string;
  role: repo.DirectoryAccountRole;
  name: string;
  login: string;
  organisationId: string | null;
  organisationName: string | null;
  /** A city editor's city (null: not scoped yet, refused). */
  areaId: string | null;
}

/** Column ← the contract's field, for what an organisation may change. */
const COLUMNS: Record<string, string> = {
  name: 'name', description: 'description', worries: 'worries', phone: 'phone', hours: 'hours', walkIn: 'walk_in', web: 'web', cost: 'cost', address: 'address',
  ageGroups: 'age_groups', languages: 'languages', lat: 'lat', lon: 'lon',
};

/**
 * An editor invites an organisation to keep its entries: an officer, an organisation of their
 * association's (or of one of its entries), else a new one; a city editor, the city's. An officer
 * naming a city-owned organisation of their city is refused: the city's editor invites it.
 */
export async function inviteOrganisation(ctx: Ctx, editor: Editor, body: z.output<typeof directoryInviteSchema>) {
  const code = generatePasscode();
  const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
  const associationId = 'actor' in editor ? editor.actor.associationId : null;
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    let organisationId = await repo.invitableOrganisation(tx.db, editor.owner, body.organisation);
    if (!organisationId && associationId && (await repo.cityOrganisationServing(tx.db, associationId, body.organisation))) {
      throw new HttpError(409, 'city_organisation', 'This organisation is kept by the city: its directory editor invites it.', 'organisation');
    }
    organisationId ??= await organisationNamed(tx.db, editor.owner, body.organisation);
    const invited = await repo.upsertInvitation(tx.db, {
      organisationId, name: body.organisation, login: body.login, invitationHash: sha256(code), expiresAt, associationId,
    });
    if (!invited) throw new HttpError(409, 'login_taken', 'This login already belongs to another account. Use another email address.', 'login');
    // A joined account's new code is its password reset (joining with it signs the old sessions out): audited as such, with who did it.
    const action = invited.reinvited ? 'directory.account.reinvite' : 'directory.organisation.invite';
    if ('actor' in editor) {
      await audit(tx.db, { associationId: editor.actor.associationId, actorPersonId: editor.actor.personId, action, subject: organisationId, detail: { login: body.login } });
    }
    await repo.directoryAudit(tx.db, {
      personId: 'actor' in editor ? editor.actor.personId : null, accountId: 'actor' in editor ? null : editor.accountId,
      action, subject: invited.id, detail: { organisationId, login: body.login },
    });
    return {
      login: body.login, organisation: body.organisation, code, expiresAt: expiresAt.toISOString(),
      url: `${ctx.publicUrl.replace(/\/$/, '')}/directory/organisation?code=${code}`,
    };
  });
}

async function startSession(ctx: Ctx, accountId: string) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await repo.insertDirectorySession(ctx.db, { id: sha256(token), accountId, csrfToken: randomBytes(24).toString('base64url'), expiresAt });
  return { token, expiresAt, account: (await loadAccount(ctx, token))! };
}

const WRONG_CODE = 'This invitation code is not valid. It may have been used already or expired; ask the directory editor for a new one.';

/** Spends an invitation: the account's password is set and a session starts. */
export async function joinDirectory(ctx: Ctx, code: string, password: string) {
  const hash = sha256(code.trim().toUpperCase());
  // A wrong code is refused before any password is hashed; the code is checked again, locked, below.
  if (!(await repo.accountByInvitation(ctx.db, hash))) throw new HttpError(400, 'invalid_code', WRONG_CODE, 'code');
  const passwordHash = await hashPassword(password);
  const accountId = await inTransaction(ctx.db, ctx.log, async (tx) => {
    const account = await repo.accountByInvitation(tx.db, hash);
    if (!account) throw new HttpError(400, 'invalid_code', WRONG_CODE, 'code');
    await repo.setAccountPassword(tx.db, account.id, passwordHash);
    await repo.directoryAudit(tx.db, { accountId: account.id, action: 'directory.account.join', subject: account.id });
    return account.id;
  });
  return startSession(ctx, accountId);
}

export async function loginDirectory(ctx: Ctx, login: string, password: string) {
  const account = await repo.accountByLogin(ctx.db, login);
  if (!(await verifyPassword(account?.password_hash ?? null, password)) || !account) {
    throw new HttpError(401, 'invalid_credentials', 'The login or password is not right.', 'password');
  }
  return startSession(ctx, account.id);
}

export async function logoutDirectory(ctx: Ctx, token: string | undefined) {
  if (token && SESSION_TOKEN.test(token)) await repo.deleteDirectorySession(ctx.db, sha256(token));
}

export async function loadAccount(ctx: Pick<Ctx, 'db'>, token: string | undefined): Promise<DirectoryAccount | undefined> {
  if (!token || !SESSION_TOKEN.test(token)) return undefined;
  const row = await repo.sessionAccount(ctx.db, sha256(token));
  return row && {
    sessionId: row.session_id, csrfToken: row.csrf_token, id: row.id, role: row.role, name: row.name, login: row.login,
    organisationId: row.organisation_id, organisationName: row.organisation_name, areaId: row.area_id,
  };
}

/** An organisation account's own organisation; a city editor has none (403). */
function organisationOf(account: DirectoryAccount): string {
  if (!account.organisationId) throw HttpError.forbidden('Only an organisation’s own login can change its entries.');
  return account.organisationId;
}

type EditorRow = NonNullable<Awaited<ReturnType<typeof organisationService>>>;

async function withChanges(ctx: Pick<Ctx, 'db'>, rows: EditorRow[]): Promise<AccountService[]> {
  const changes = await repo.changesOf(ctx.db, rows.map((r) => r.id));
  return rows.map((r) => {
    const pending = changes.find((c) => c.service_id === r.id && c.status === 'pending');
    const reviewed = changes.find((c) => c.service_id === r.id && c.status !== 'pending');
    return {
      ...editorView(r, null), editable: true,
      pending: pending ? { id: pending.id, createdAt: pending.created_at.toISOString(), changes: fieldChanges(r as unknown as Record<string, unknown>, pending.fields) } : null,
      lastReview: reviewed ? { status: reviewed.status as 'approved' | 'rejected', reason: reviewed.reason, at: (reviewed.reviewed_at ?? reviewed.created_at).toISOString() } : null,
    };
  });
}

/** Old → new of each changed column (the published row's value before). */
export function fieldChanges(published: Record<string, unknown>, fields: Record<string, unknown>) {
  return Object.entries(fields).map(([field, after]) => ({ field, before: published[field] ?? null, after }));
}

export async function accountView(ctx: Pick<Ctx, 'db'>, account: DirectoryAccount): Promise<DirectoryAccountView> {
  const rows = account.organisationId ? await servicesOfOrganisation(ctx.db, account.organisationId) : [];
  return {
    account: { id: account.id, name: account.name, login: account.login, role: account.role },
    organisation: account.organisationId ? { id: account.organisationId, name: account.organisationName ?? '' } : null,
    csrfToken: account.csrfToken,
    services: await withChanges(ctx, rows),
    toReview: account.role === 'city_editor' && account.areaId ? await repo.countToReview(ctx.db, { cityAreaId: account.areaId }) : 0,
  };
}

/**
 * An organisation's change to its own service (another organisation's is a 404): stored as
 * the service's pending change; the published entry keeps its values until an editor approves.
 */
export async function proposeChange(ctx: Ctx, account: DirectoryAccount, id: string, body: z.output<typeof organisationChangeSchema>) {
  const organisationId = organisationOf(account);
  const fields = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined).map(([k, v]) => [COLUMNS[k]!, v]));
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const service = await organisationService(tx.db, organisationId, id);
    if (!service) throw HttpError.notFound('directory entry');
    const changeId = await repo.savePendingChange(tx.db, id, account.id, fields);
    // The entry as it would show once approved (this change merged into any earlier pending one)
    // still needs a way to reach it; refused here, not as a failed approval later.
    const pending = (await repo.changesOf(tx.db, [id])).find((c) => c.id === changeId)?.fields ?? fields;
    if (!directoryPolicy.reachable({ ...service, ...pending, status: service.status })) {
      throw new HttpError(400, 'no_contact', 'An entry that shows needs a phone number, a web address or an address.', 'phone');
    }
    const half = directoryPolicy.halfPin({ lat: service.lat, lon: service.lon, ...pending } as { lat: unknown; lon: unknown });
    if (half) throw new HttpError(400, 'half_pin', 'A map position needs both its latitude and its longitude (or neither: no pin).', half);
    await repo.directoryAudit(tx.db, { accountId: account.id, action: 'directory.change.propose', subject: id, detail: { change: changeId, fields } });
    return (await withChanges(tx, [service]))[0]!;
  });
}

/** The organisation confirms its entry is still right: current again for its reconfirm period (no review: nothing changed). */
export async function reconfirm(ctx: Ctx, account: DirectoryAccount, id: string) {
  const organisationId = organisationOf(account);
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    // Today in the entry's association's time zone (a city-wide entry's: the deployment's).
    const today = await repo.confirmOrganisationService(tx.db, organisationId, id);
    if (!today) throw HttpError.notFound('directory entry');
    await restoreFresh(tx.db, id);
    await repo.directoryAudit(tx.db, { accountId: account.id, action: 'directory.service.confirm', subject: id, detail: { on: today } });
    return (await withChanges(tx, [(await organisationService(tx.db, organisationId, id))!]))[0]!;
  });
}

/**
 * The organisation proposes a new service: added as a draft (never in search) serving where its
 * organisation already serves, with a pending change that publishes it once an editor approves.
 */
export async function proposeService(ctx: Ctx, account: DirectoryAccount, body: z.output<typeof organisationNewServiceSchema>) {
  const organisationId = organisationOf(account);
  return inTransaction(ctx.db, ctx.log, async (tx) => {
    const home = await repo.organisationHome(tx.db, organisationId);
    if (!home) throw new HttpError(409, 'no_area', 'Your organisation serves no area yet; ask the directory editor who invited you to add your first entry.');
    // The draft holds its name and worries; the rest is the pending change, so its reviewer sees each value (— → new).
    const id = await insertService(tx.db, home.owner_area_id ? { cityAreaId: home.owner_area_id } : home.association_id ? { associationId: home.association_id } : null, home.area_id, {
      organisation_id: organisationId, name: body.name, description: '', worries: body.worries, age_groups: body.ageGroups,
      languages: body.languages, address: '', lat: body.lat, lon: body.lon, phone: '', hours: '', walk_in: false,
      web: '', cost: '', status: 'draft', last_confirmed_on: localDate(new Date(), DEFAULT_TIME_ZONE),
    });
    const proposed = { description: body.description, phone: body.phone, hours: body.hours, walk_in: body.walkIn, web: body.web, cost: body.cost, address: body.address };
    const fields = { ...Object.fromEntries(Object.entries(proposed).filter(([, v]) => v !== '' && v !== false)), status: 'published' };
    const changeId = await repo.savePendingChange(tx.db, id, account.id, fields);
    await repo.directoryAudit(tx.db, { accountId: account.id, action: 'directory.service.propose', subject: id, detail: { change: changeId, name: body.name } });
    return (await withChanges(tx, [(await organisationService(tx.db, organisationId, id))!]))[0]!;
  });
}
