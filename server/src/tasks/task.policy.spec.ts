import { describe, expect, it } from 'vitest';
import type { Actor } from '../common/access.js';
import { HttpError } from '../platform/http/errors.js';
import { householdRisk, taskPolicy } from './task.policy.js';

const actor = (over: Partial<Actor> = {}): Actor => ({
  sessionId: 's', personId: 'p', associationId: 'x', officer: false, captainOf: [], volunteer: false, welfareCommissioner: false, watcherOf: [], householdId: null, ...over,
});

describe('task policy', () => {
  it("officers see every 班's tasks, a 班長 their own 班's", () => {
    expect(taskPolicy.taskBlocks(actor({ officer: true }))).toBeUndefined();
    expect(taskPolicy.taskBlocks(actor({ captainOf: ['b1', 'b2'] }))).toEqual(['b1', 'b2']);
  });

  it('members, watchers and volunteers have no task list (403)', () => {
    for (const other of [actor({ householdId: 'h' }), actor({ watcherOf: ['h'] }), actor({ volunteer: true })]) {
      expect(() => taskPolicy.taskBlocks(other)).toThrow(HttpError);
      expect(() => taskPolicy.taskBlocks(other)).toThrow(/Only officers and 班長 can have task lists/);
    }
  });

  it("a phone list's 班 filter: officers any 班, a 班長 only their own (another is 404)", () => {
    expect(taskPolicy.listBlocks(actor({ officer: true }), undefined)).toBeUndefined();
    expect(taskPolicy.listBlocks(actor({ officer: true }), 'b9')).toEqual(['b9']);
    expect(taskPolicy.listBlocks(actor({ captainOf: ['b1', 'b2'] }), 'b2')).toEqual(['b2']);
    expect(() => taskPolicy.listBlocks(actor({ captainOf: ['b1'] }), 'b2')).toThrow(/No such 班/);
    expect(() => taskPolicy.listBlocks(actor({ householdId: 'h' }), 'b1')).toThrow(/Only officers and 班長/);
  });

  it('risk flags: lives alone, speaker only, paper only', () => {
    expect(householdRisk({ channels: ['app'], members: 2 })).toEqual([]);
    expect(householdRisk({ channels: ['speaker'], members: 1 })).toEqual(['lives_alone', 'speaker_only']);
    expect(householdRisk({ channels: ['speaker', 'paper'], members: 0 })).toEqual(['lives_alone']);
    expect(householdRisk({ channels: ['paper'], members: 3 })).toEqual(['paper_only']);
  });
});
