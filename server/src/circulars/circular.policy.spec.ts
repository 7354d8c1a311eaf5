import { describe, expect, it } from 'vitest';
import type { Actor } from '../common/access.js';
import { HttpError } from '../platform/http/errors.js';
import { circularPolicy } from './circular.policy.js';

const X = 'assoc-x';
const actor = (over: Partial<Actor> = {}): Actor => ({
  sessionId: 's', personId: 'p', associationId: X, officer: false, captainOf: [], volunteer: false, welfareCommissioner: false, watcherOf: [], householdId: null, ...over,
});
const officer = actor({ officer: true });
const captain = actor({ captainOf: ['b1'], householdId: 'hC' });
const member = actor({ householdId: 'hA' });
const watcher = actor({ watcherOf: ['hA'] });
const volunteer = actor({ volunteer: true });
/** The status of the HttpError a rule throws (undefined: it did not throw). */
function refusal(rule: () => unknown): number | undefined {
  try {
    rule();
    return undefined;
  } catch (error) {
    return error instanceof HttpError ? error.status : -1;
  }
}
const officerOfY = actor({ officer: true, associationId: 'assoc-y' });

describe('circular policy', () => {
  it('only officers compose', () => {
    expect(circularPolicy.canCompose(officer)).toBe(true);
    for (const other of [captain, member, watcher, volunteer]) expect(circularPolicy.canCompose(other)).toBe(false);
  });

  it("another association's circular does not exist, not even for another association's officers", () => {
    expect(circularPolicy.inAssociation(officer, X)).toBe(true);
    expect(circularPolicy.inAssociation(officerOfY, X)).toBe(false);
    expect(circularPolicy.canSee(officerOfY, { associationId: X, status: 'published' })).toBe('no');
  });

  it('officers see every circular of their association, drafts included', () => {
    for (const status of ['draft', 'scheduled', 'published', 'withdrawn'] as const) expect(circularPolicy.canSee(officer, { associationId: X, status })).toBe('yes');
    expect(circularPolicy.readerScope(officer)).toBeUndefined();
  });

  it('others see a published or withdrawn circular only if it reached them; a draft or scheduled one never', () => {
    for (const reader of [captain, member, watcher, volunteer]) {
      expect(circularPolicy.canSee(reader, { associationId: X, status: 'published' })).toBe('if-reached');
      expect(circularPolicy.canSee(reader, { associationId: X, status: 'withdrawn' })).toBe('if-reached');
      expect(circularPolicy.canSee(reader, { associationId: X, status: 'draft' })).toBe('no');
      expect(circularPolicy.canSee(reader, { associationId: X, status: 'scheduled' })).toBe('no');
    }
  });

  it('a circular reaches its reader through their household, the households they watch, and the 班 they captain', () => {
    expect(circularPolicy.readerScope(member)).toEqual({ householdIds: ['hA'], blockIds: [] });
    expect(circularPolicy.readerScope(watcher)).toEqual({ householdIds: ['hA'], blockIds: [] });
    expect(circularPolicy.readerScope(captain)).toEqual({ householdIds: ['hC'], blockIds: ['b1'] });
    expect(circularPolicy.readerScope(volunteer)).toEqual({ householdIds: [], blockIds: [] });
  });

  it('a member acknowledges and answers for their own household only (a watcher answers for nobody)', () => {
    expect(circularPolicy.answeringHousehold(member, { associationId: X })).toBe('hA');
    expect(circularPolicy.answeringHousehold(member, { associationId: 'assoc-y' })).toBeNull();
    expect(circularPolicy.answeringHousehold(watcher, { associationId: X })).toBeNull();
    expect(circularPolicy.answeringHousehold(officer, { associationId: X })).toBeNull();
  });

  it('officers follow up every 班, a 班長 their own, and anyone else is refused (403)', () => {
    expect(circularPolicy.followUpBlocks(officer)).toBeUndefined();
    expect(circularPolicy.followUpBlocks(captain)).toEqual(['b1']);
    for (const other of [member, watcher, volunteer]) expect(refusal(() => circularPolicy.followUpBlocks(other))).toBe(403);
    expect(circularPolicy.followsUpBlock(officer, 'b2')).toBe(true);
    expect(circularPolicy.followsUpBlock(captain, 'b1')).toBe(true);
    expect(circularPolicy.followsUpBlock(captain, 'b2')).toBe(false);
  });

  it("a list shows the read rate to officers (every 班) and 班長 (their 班), to nobody else", () => {
    expect(circularPolicy.listProgressBlocks(officer)).toBeUndefined();
    expect(circularPolicy.listProgressBlocks(captain)).toEqual(['b1']);
    expect(circularPolicy.listProgressBlocks(member)).toEqual([]);
  });
});
