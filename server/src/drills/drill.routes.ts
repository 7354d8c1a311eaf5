import { drillRoutes } from '../contracts/drills.js';
import type { ApiRouter } from '../platform/http/api-router.js';
import { stringifyCsv, utf8WithBom } from '../platform/http/csv.js';
import * as drills from './drill.service.js';
import { jsonBodyOnce, sendJsonBody } from '../platform/http/json-body.js';
import { associationTimeZone } from '../common/association.repository.js';
import { formatLocal, localDate } from '../common/local-time.js';

const statusLabel: Record<string, string> = { safe: '無事', needs_help: '要支援', injured: '負傷', absent: '不在' };
const channelLabel: Record<string, string> = { app: 'アプリ', speaker: 'スピーカー', proxy: '代理確認', visit: '訪問' };
const whereLabel: Record<string, string> = { home: '自宅', evacuated: '避難所', away: '外出先' };

export function registerDrillRoutes(api: ApiRouter, ctx: drills.DrillContext) {
  api.handle(drillRoutes.list, async ({ actor }) => drills.listDrills(ctx, actor));
  api.handle(drillRoutes.mine, async ({ actor }) => drills.myDrills(ctx, actor));
  api.handle(drillRoutes.start, async ({ actor, body }) => drills.startDrill(ctx, actor, body));
  api.handle(drillRoutes.answer, async ({ actor, params, body, idempotencyKey }) => drills.answerAsMember(ctx, actor, params.id, body, idempotencyKey));
  api.handle(drillRoutes.proxy, async ({ actor, params, body, idempotencyKey }) => drills.answerByProxy(ctx, actor, params.id, body, idempotencyKey));
  api.handle(drillRoutes.take, async ({ actor, params, body }) => drills.takeTask(ctx, actor, params.id, body.householdId));
  api.handle(drillRoutes.visit, async ({ actor, params, body, idempotencyKey }) => drills.recordVisit(ctx, actor, params.id, body, idempotencyKey));
  // The figures of a shared run (or of one served again) serialised, hashed and compressed once for every request given them.
  api.handle(drillRoutes.dashboard, async ({ actor, params, req, res }) => {
    sendJsonBody(req, res, jsonBodyOnce(await drills.dashboard(ctx, actor, params.id)));
  });
  api.handle(drillRoutes.tasks, async ({ actor, params }) => drills.tasks(ctx, actor, params.id));
  api.handle(drillRoutes.end, async ({ actor, params }) => drills.endDrill(ctx, actor, params.id));
  api.handle(drillRoutes.report, async ({ actor, params }) => drills.report(ctx, actor, params.id));
  api.handle(drillRoutes.reportCsv, async ({ actor, params, res }) => {
    const { drill, rows } = await drills.reportRows(ctx, actor, params.id);
    const zone = await associationTimeZone(ctx.db, drill.association_id);
    // Names, places and notes are typed by residents: stringifyCsv neutralises formula-like cells.
    const csv = stringifyCsv([
      ['班', '世帯番号', '世帯名', '住所', '状態', '場所', '避難先', '回答時刻', '回答経路', '訪問結果', 'メモ'],
      ...rows.map((r) => [r.blockName, r.householdNumber, r.name, r.address, r.status ? statusLabel[r.status] : '未確認', r.where ? whereLabel[r.where] : '', r.shelterName ?? '', r.answeredAt ? formatLocal(new Date(r.answeredAt), zone) : '', r.channel ? channelLabel[r.channel] : '', r.visitOutcome ? statusLabel[r.visitOutcome] : '', r.note]),
    ]);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="drill-${localDate(drill.started_at, zone)}.csv"`);
    res.send(utf8WithBom(csv));
  });
}
