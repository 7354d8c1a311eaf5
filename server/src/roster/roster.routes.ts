import { rosterRoutes } from '../contracts/roster.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import { HttpError } from '../platform/http/errors.js';
import type { Logger } from '../platform/logger.js';
import type { Db } from '../platform/db/database.js';
import type { Realtime } from '../platform/realtime/realtime.js';
import { requireRole } from '../common/access.js';
import * as roster from './roster.service.js';
import { exportRoster, importRoster } from './roster-import.service.js';
import { writeRosterCsv } from './roster-csv.js';
import { associationTimeZone } from '../common/association.repository.js';
import { localDate } from '../common/local-time.js';
import { canManageRoster } from './roster.policy.js';
import * as passcodes from './passcodes.service.js';

export function registerRosterRoutes(api: ApiRouter, deps: { db: Db; log: Logger; realtime: Realtime; publicUrl: string }) {
  const { db, realtime } = deps;
  api.handle(rosterRoutes.blocks, async ({ actor }) => ({
    items: await roster.getBlocks(db, actor),
  }));
  api.handle(rosterRoutes.createBlock, async ({ actor, body }) => {
    const block = await roster.createBlock(db, actor, body);
    realtime.rosterChanged(actor.associationId, 'all');
    return block;
  });
  api.handle(rosterRoutes.updateBlock, async ({ actor, params, body }) => {
    const block = await roster.updateBlock(db, actor, params.id, body);
    realtime.rosterChanged(actor.associationId, 'all');
    return block;
  });
  api.handle(rosterRoutes.setCaptains, async ({ actor, params, body }) => {
    const block = await roster.setCaptains(deps, actor, params.id, body);
    realtime.rosterChanged(actor.associationId, 'all');
    return block;
  });

  api.handle(rosterRoutes.households, async ({ actor, query }) => roster.getHouseholds(db, actor, query));
  api.handle(rosterRoutes.household, async ({ actor, params }) => roster.getHousehold(db, actor, params.id));
  api.handle(rosterRoutes.createHousehold, async ({ actor, body }) => {
    const household = await roster.createHousehold(db, actor, body);
    realtime.rosterChanged(actor.associationId, [household.id]);
    return household;
  });
  api.handle(rosterRoutes.updateHousehold, async ({ actor, params, body }) => {
    const household = await roster.updateHousehold(deps, actor, params.id, body);
    realtime.rosterChanged(actor.associationId, [household.id]);
    return household;
  });

  api.handle(rosterRoutes.people, async ({ actor, query }) => roster.getPeople(db, actor, { q: query.q, withoutHousehold: query.withoutHousehold === 'true' ? true : undefined }));
  api.handle(rosterRoutes.createPerson, async ({ actor, body }) => {
    const person = await roster.createPerson(db, actor, body);
    realtime.rosterChanged(actor.associationId, person.householdId ? [person.householdId] : 'all');
    return person;
  });
  api.handle(rosterRoutes.updatePerson, async ({ actor, params, body }) => {
    const person = await roster.updatePerson(deps, actor, params.id, body);
    realtime.rosterChanged(actor.associationId, person.householdId ? [person.householdId] : 'all');
    return person;
  });

  api.handle(rosterRoutes.importRoster, async ({ actor, query, req }) => {
    requireRole(canManageRoster(actor, actor.associationId));
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0) throw HttpError.badRequest('Attach the CSV file as the request body.', 'body');
    const { changedHouseholdIds, ...result } = await importRoster(deps, {
      associationId: actor.associationId, actorPersonId: actor.personId, csv: body, commit: query.mode === 'commit',
    });
    if (result.committed) realtime.rosterChanged(actor.associationId, 'all');
    return result;
  });

  api.handle(rosterRoutes.exportRoster, async ({ actor, query, res }) => {
    requireRole(canManageRoster(actor, actor.associationId));
    const written = writeRosterCsv(await exportRoster(db, actor.associationId), query.encoding);
    if (!written.ok) {
      // Never a silent "?": say which cells Shift_JIS cannot hold; UTF-8 can hold them all.
      const issues = written.unencodable.slice(0, 100).map((cell) => ({
        field: `row ${cell.row}, ${cell.column}`,
        message: `${cell.characters.map((c) => `${c} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`).join(', ')} — ${[cell.householdNumber, cell.name].filter(Boolean).join(' ')}`,
      }));
      throw new HttpError(
        422, 'not_encodable',
        `${written.unencodable.length} cell(s) have characters that Shift_JIS cannot hold. Download the UTF-8 CSV instead (Excel opens it), or change these cells.`,
        'encoding', issues,
      );
    }
    const csv = written.csv;
    const charset = query.encoding === 'utf-8' ? 'utf-8' : 'shift_jis';
    const date = localDate(new Date(), await associationTimeZone(db, actor.associationId));
    res.setHeader('Content-Type', `text/csv; charset=${charset}`);
    res.setHeader('Content-Disposition', `attachment; filename="roster-${date}.csv"; filename*=UTF-8''${encodeURIComponent(`名簿-${date}.csv`)}`);
    res.send(csv);
  });

  api.handle(rosterRoutes.passcodes, async ({ actor, body }) => passcodes.issuePasscodes(deps, actor, body));
  api.handle(rosterRoutes.letters, async ({ actor, body }) => passcodes.issueLetters(deps, actor, body));
  api.handle(rosterRoutes.unregistered, async ({ actor, params }) => passcodes.unregisteredHouseholds(db, actor, params.id));
  api.handle(rosterRoutes.helpDeskPasscode, async ({ actor, params }) => passcodes.issueHelpDeskPasscode(deps, actor, params.id));
  api.handle(rosterRoutes.familyInvitation, async ({ actor, params }) => passcodes.issueFamilyInvitation(deps, actor, params.id));
}
