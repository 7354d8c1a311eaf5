import { idParamsSchema, okSchema } from '../contracts/http.js';
import {
  activeDrillsSchema,
  dashboardSchema,
  drillAnswerSchema,
  drillListSchema,
  drillSummarySchema,
  myDrillSchema,
  proxyAnswerSchema,
  reportSchema,
  startDrillSchema,
  takeTaskSchema,
  taskListSchema,
  visitSchema,
} from '../contracts/drills.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import { stringifyCsv, utf8WithBom } from '../platform/http/csv.js';
import * as drills from './drill.service.js';

const statusLabel: Record<string, string> = { safe: '無事', needs_help: '要支援', injured: '負傷', absent: '不在' };
const channelLabel: Record<string, string> = { app: 'アプリ', speaker: 'スピーカー', proxy: '代理確認', visit: '訪問' };

export function registerDrillRoutes(api: ApiRouter, ctx: drills.DrillContext) {
  const tag = 'drills';
  const id = idParamsSchema;
  api.route('get', '/api/drills', { summary: 'Safety confirmations: all for officers; the active ones for me otherwise', tag, access: 'session', response: drillListSchema }, async ({ actor }) =>
    drills.listDrills(ctx, actor),
  );
  api.route('get', '/api/drills/mine', { summary: "Active safety confirmations addressed to my household, with our answer", tag, access: 'session', response: activeDrillsSchema }, async ({ actor }) =>
    drills.myDrills(ctx, actor),
  );
  api.route('post', '/api/drills', { summary: 'Start a drill or a real event (officers)', tag, access: 'session', body: startDrillSchema, response: drillSummarySchema, status: 201 }, async ({ actor, body }) =>
    drills.startDrill(ctx, actor, body),
  );
  api.route('post', '/api/drills/:id/answer', { summary: 'My household is safe / needs help / is injured', tag, access: 'session', params: id, body: drillAnswerSchema, response: myDrillSchema, idempotent: true }, async ({ actor, params, body, idempotencyKey }) =>
    drills.answerAsMember(ctx, actor, params.id, body, idempotencyKey),
  );
  api.route('post', '/api/drills/:id/proxy', { summary: 'Record a household as confirmed in person (captain, volunteer, neighbour, officer)', tag, access: 'session', params: id, body: proxyAnswerSchema, response: myDrillSchema, idempotent: true }, async ({ actor, params, body, idempotencyKey }) =>
    drills.answerByProxy(ctx, actor, params.id, body, idempotencyKey),
  );
  api.route('post', '/api/drills/:id/take', { summary: "Take a silent household's visit (\"I'm going\"): its escalation stops", tag, access: 'session', params: id, body: takeTaskSchema, response: okSchema }, async ({ actor, params, body }) =>
    drills.takeTask(ctx, actor, params.id, body.householdId),
  );
  api.route('post', '/api/drills/:id/visit', { summary: 'Record the outcome of a visit', tag, access: 'session', params: id, body: visitSchema, response: myDrillSchema, idempotent: true }, async ({ actor, params, body, idempotencyKey }) =>
    drills.recordVisit(ctx, actor, params.id, body, idempotencyKey),
  );
  api.route('get', '/api/drills/:id/dashboard', { summary: 'Live counts per 班, response curve, the unanswered by risk', tag, access: 'session', params: id, response: dashboardSchema }, async ({ actor, params }) =>
    drills.dashboard(ctx, actor, params.id),
  );
  api.route('get', '/api/drills/:id/tasks', { summary: 'Households to visit (班長; volunteers and officers once escalated)', tag, access: 'session', params: id, response: taskListSchema }, async ({ actor, params }) =>
    drills.tasks(ctx, actor, params.id),
  );
  api.route('post', '/api/drills/:id/end', { summary: 'End it and make the report (officers)', tag, access: 'session', params: id, response: reportSchema }, async ({ actor, params }) =>
    drills.endDrill(ctx, actor, params.id),
  );
  api.route('get', '/api/drills/:id/report', { summary: 'The report of an ended safety confirmation', tag, access: 'session', params: id, response: reportSchema }, async ({ actor, params }) =>
    drills.report(ctx, actor, params.id),
  );
  api.route('get', '/api/drills/:id/report.csv', { summary: 'The report as CSV, one row per household (Excel)', tag, access: 'session', params: id, produces: 'text/csv' }, async ({ actor, params, res }) => {
    const { drill, rows } = await drills.reportRows(ctx, actor, params.id);
    // Names, places and notes are typed by residents: stringifyCsv neutralises formula-like cells.
    const csv = stringifyCsv([
      ['班', '世帯番号', '世帯名', '住所', '状態', '場所', '回答時刻', '回答経路', '訪問結果', 'メモ'],
      ...rows.map((r) => [r.blockName, r.householdNumber, r.name, r.address, r.status ? statusLabel[r.status] : '未確認', r.where ?? '', r.answeredAt ?? '', r.channel ? channelLabel[r.channel] : '', r.visitOutcome ? statusLabel[r.visitOutcome] : '', r.note]),
    ]);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="drill-${drill.started_at.toISOString().slice(0, 10)}.csv"`);
    res.send(utf8WithBom(csv));
  });
}
