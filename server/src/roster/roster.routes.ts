import {
  blockListSchema,
  blockViewSchema,
  createBlockRequestSchema,
  createHouseholdRequestSchema,
  createPersonRequestSchema,
  householdDetailSchema,
  householdListQuerySchema,
  householdListSchema,
  idParamsSchema,
  passcodeSheetRequestSchema,
  passcodeSheetSchema,
  personListQuerySchema,
  personListSchema,
  personViewSchema,
  rosterExportQuerySchema,
  rosterImportQuerySchema,
  rosterImportResultSchema,
  setCaptainsRequestSchema,
  updateBlockRequestSchema,
  updateHouseholdRequestSchema,
  updatePersonRequestSchema,
} from '../contracts/http.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import { HttpError } from '../platform/http/errors.js';
import type { Db } from '../platform/db/database.js';
import type { Realtime } from '../platform/realtime/realtime.js';
import { policy, requireRole } from '../common/access.js';
import * as roster from './roster.service.js';
import { exportRoster, importRoster } from './roster-import.service.js';
import { writeRosterCsv } from './roster-csv.js';

export const ROSTER_UPLOAD_LIMIT = '5mb';

export function registerRosterRoutes(api: ApiRouter, deps: { db: Db; realtime: Realtime; publicUrl: string }) {
  const { db, realtime } = deps;
  const tag = 'roster';

  api.route('get', '/api/blocks', { summary: 'List 班 (officers: all; captains: their own)', tag, access: 'session', response: blockListSchema }, async ({ actor }) => ({
    items: await roster.getBlocks(db, actor),
  }));
  api.route('post', '/api/blocks', { summary: 'Create a 班', tag, access: 'session', body: createBlockRequestSchema, response: blockViewSchema, status: 201 }, async ({ actor, body }) => {
    const block = await roster.createBlock(db, actor, body);
    realtime.rosterChanged(actor.associationId, 'all');
    return block;
  });
  api.route('patch', '/api/blocks/:id', { summary: 'Rename or reorder a 班', tag, access: 'session', params: idParamsSchema, body: updateBlockRequestSchema, response: blockViewSchema }, async ({ actor, params, body }) => {
    const block = await roster.updateBlock(db, actor, params.id, body);
    realtime.rosterChanged(actor.associationId, 'all');
    return block;
  });
  api.route('put', '/api/blocks/:id/captains', { summary: "Set a 班's captains from a date (yearly rotation)", tag, access: 'session', params: idParamsSchema, body: setCaptainsRequestSchema, response: blockViewSchema }, async ({ actor, params, body }) => {
    const block = await roster.setCaptains(db, actor, params.id, body);
    realtime.rosterChanged(actor.associationId, 'all');
    return block;
  });

  api.route('get', '/api/households', { summary: 'List the households the caller may see', tag, access: 'session', query: householdListQuerySchema, response: householdListSchema }, async ({ actor, query }) =>
    roster.getHouseholds(db, actor, query),
  );
  api.route('get', '/api/households/:id', { summary: 'One household with its members and devices', tag, access: 'session', params: idParamsSchema, response: householdDetailSchema }, async ({ actor, params }) =>
    roster.getHousehold(db, actor, params.id),
  );
  api.route('post', '/api/households', { summary: 'Create a household', tag, access: 'session', body: createHouseholdRequestSchema, response: householdDetailSchema, status: 201 }, async ({ actor, body }) => {
    const household = await roster.createHousehold(db, actor, body);
    realtime.rosterChanged(actor.associationId, [household.id]);
    return household;
  });
  api.route('patch', '/api/households/:id', { summary: 'Edit a household', tag, access: 'session', params: idParamsSchema, body: updateHouseholdRequestSchema, response: householdDetailSchema }, async ({ actor, params, body }) => {
    const household = await roster.updateHousehold(db, actor, params.id, body);
    realtime.rosterChanged(actor.associationId, [household.id]);
    return household;
  });

  api.route('get', '/api/people', { summary: 'Search the people of the association (officers)', tag, access: 'session', query: personListQuerySchema, response: personListSchema }, async ({ actor, query }) =>
    roster.getPeople(db, actor, { q: query.q, withoutHousehold: query.withoutHousehold === 'true' ? true : undefined }),
  );
  api.route('post', '/api/people', { summary: 'Add a person (to a household, or outside any)', tag, access: 'session', body: createPersonRequestSchema, response: personViewSchema, status: 201 }, async ({ actor, body }) => {
    const person = await roster.createPerson(db, actor, body);
    realtime.rosterChanged(actor.associationId, person.householdId ? [person.householdId] : 'all');
    return person;
  });
  api.route('patch', '/api/people/:id', { summary: 'Edit a person', tag, access: 'session', params: idParamsSchema, body: updatePersonRequestSchema, response: personViewSchema }, async ({ actor, params, body }) => {
    const person = await roster.updatePerson(db, actor, params.id, body);
    realtime.rosterChanged(actor.associationId, person.householdId ? [person.householdId] : 'all');
    return person;
  });

  api.route(
    'post',
    '/api/roster/import',
    {
      summary: 'Import a roster CSV (UTF-8 with or without BOM, Shift_JIS, or UTF-16 tab-separated): preview, then commit',
      tag, access: 'session', query: rosterImportQuerySchema, response: rosterImportResultSchema,
      rawBody: { type: 'text/csv', limit: ROSTER_UPLOAD_LIMIT },
    },
    async ({ actor, query, req }) => {
      requireRole(policy.canManageRoster(actor, actor.associationId));
      const body: unknown = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw HttpError.badRequest('Attach the CSV file as the request body.', 'body');
      const { changedHouseholdIds, ...result } = await importRoster(db, {
        associationId: actor.associationId, actorPersonId: actor.personId, csv: body, commit: query.mode === 'commit',
      });
      if (result.committed) realtime.rosterChanged(actor.associationId, 'all');
      return result;
    },
  );

  api.route('get', '/api/roster/export', { summary: 'Export the roster as CSV for Excel (Shift_JIS: 422 listing cells it cannot hold)', tag, access: 'session', query: rosterExportQuerySchema, produces: 'text/csv' }, async ({ actor, query, res }) => {
    requireRole(policy.canManageRoster(actor, actor.associationId));
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
    const date = new Date().toISOString().slice(0, 10);
    res.setHeader('Content-Type', `text/csv; charset=${charset}`);
    res.setHeader('Content-Disposition', `attachment; filename="roster-${date}.csv"; filename*=UTF-8''${encodeURIComponent(`名簿-${date}.csv`)}`);
    res.send(csv);
  });

  api.route('post', '/api/passcodes', { summary: 'Issue one-time join passcodes with QR codes for a printed sheet', tag, access: 'session', body: passcodeSheetRequestSchema, response: passcodeSheetSchema }, async ({ actor, body }) =>
    roster.issuePasscodes(db, actor, body, deps.publicUrl),
  );
}
