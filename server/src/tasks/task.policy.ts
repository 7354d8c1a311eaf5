import { followUpBlocks, type Actor } from '../common/access.js';

/** Who sees and resolves a 班長's tasks. */
export const taskPolicy = {
  /**
   * The 班 whose tasks an actor sees and resolves: every 班 for officers (undefined), their
   * own 班 for a 班長; anyone else has no task list (403).
   */
  taskBlocks(actor: Actor): string[] | undefined {
    return followUpBlocks(actor, 'have task lists');
  },
};
