import { fanOutPages } from '../platform/jobs/fan-out.js';
import { stableJobId } from '../platform/jobs/jobs.js';
import type { Prompt } from '../../../devices/src/protocol.js';
import { findDrill, type DrillRow } from './drill.repository.js';
import { silentHouseholds } from './target.repository.js';
import type { DrillContext } from './summary.service.js';

function speakerPrompt(drill: DrillRow): Prompt {
  return {
    id: drill.id,
    kind: 'drill',
    text: `${drill.kind === 'drill' ? '安否確認の訓練です。' : '安否確認です。'}${drill.message || drill.title}。ご無事なら「無事」、助けが必要なら「助けて」のボタンを押してください。`,
    buttons: ['safe', 'help'],
    expiresAt: drill.deadline_at.toISOString(),
  };
}

/**
 * Push to every member's browser and a spoken prompt on every live speaker in scope (a
 * safety question goes on every channel a home has), for the households not yet accounted
 * for, in durable pieces (platform/jobs/fan-out.ts): this job asks the households after
 * `after` for a few seconds' worth of pages, then hands the rest on.
 */
export async function ask(ctx: DrillContext, drillId: string, after: string | null = null, round?: string) {
  const drill = await findDrill(ctx.db, drillId);
  if (!drill || drill.status !== 'active') {
    ctx.log.info({ drillId, step: 'ask' }, 'drill step skipped: the drill has ended or is gone');
    return { pushed: 0, prompted: 0 };
  }
  const label = drill.kind === 'drill' ? '【安否確認訓練】' : '【安否確認】';
  const push = { title: `${label}${drill.title}`, body: 'ご無事ですか？ アプリで答えてください。', url: `${ctx.publicUrl}/drills/${drillId}/answer` };
  const prompt = speakerPrompt(drill);
  const result = { pushed: 0, prompted: 0 };
  await fanOutPages({
    after,
    page: (from, limit) => silentHouseholds(ctx.db, drillId, from, limit),
    send: async (households) => {
      const reached = await ctx.reach.households(households, { push, speaker: { kind: 'prompt', payload: prompt } });
      result.pushed += reached.pushed;
      result.prompted += reached.spoken;
    },
    // A later round (asked again) names itself in its continuations' ids: its cursor may equal the first round's.
    carryOn: (from) => ctx.jobs.sendDetached('continuation', 'drill-ask', { drillId, after: from, ...(round && { round }) }, { id: stableJobId('drill-ask', drillId, ...(round ? [round] : []), from) }),
  });
  return result;
}
