import { followUpBlocks, type Actor } from '../common/access.js';
import { HttpError } from '../platform/http/errors.js';

/** Who sees and resolves a 班長's tasks. */
export const taskPolicy = {
  /**
   * The 班 whose tasks an actor sees and resolves: every 班 for officers (undefined), their
   * own 班 for a 班長; anyone else has no task list (403).
   */
  taskBlocks(actor: Actor): string[] | undefined {
    return followUpBlocks(actor, 'have task lists');
  },

  /**
   * The 班 of a phone list with an optional 班 filter: officers any 班 of theirs (undefined:
   * all), a 班長 one of their own; another 班 is 404 for a 班長 (it does not exist for them).
   */
  listBlocks(actor: Actor, blockId: string | undefined): string[] | undefined {
    const own = taskPolicy.taskBlocks(actor);
    if (!blockId) return own;
    if (own && !own.includes(blockId)) throw HttpError.notFound('班');
    return [blockId];
  },
};

export type RiskFlag = 'lives_alone' | 'speaker_only' | 'paper_only';

/**
 * A household's risk flags, as a drill's targets carry them (drills/target.repository.ts,
 * insertTargets): lives alone (one member or none), speaker only, paper only (neither app nor speaker).
 */
export function householdRisk(home: { channels: readonly string[]; members: number }): RiskFlag[] {
  const flags: RiskFlag[] = [];
  if (home.members <= 1) flags.push('lives_alone');
  if (home.channels.length === 1 && home.channels[0] === 'speaker') flags.push('speaker_only');
  if (!home.channels.includes('app') && !home.channels.includes('speaker')) flags.push('paper_only');
  return flags;
}
