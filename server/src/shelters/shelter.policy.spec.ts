import { describe, expect, it } from 'vitest';
import type { Actor } from '../common/access.js';
import { shelterPolicy } from './shelter.policy.js';

const base: Actor = {
  sessionId: 's', personId: 'p', associationId: 'a', officer: false, captainOf: [], volunteer: false, welfareCommissioner: false, watcherOf: [], householdId: 'h',
};

describe('shelterPolicy', () => {
  it('officers manage the shelters and see the unlisted ones too', () => {
    expect(shelterPolicy.canManage({ ...base, officer: true })).toBe(true);
    expect(shelterPolicy.listedOnly({ ...base, officer: true })).toBe(false);
  });
  it('residents, 班長 and volunteers see the listed ones and manage nothing', () => {
    for (const actor of [base, { ...base, captainOf: ['b'] }, { ...base, volunteer: true, householdId: null }]) {
      expect(shelterPolicy.canManage(actor)).toBe(false);
      expect(shelterPolicy.listedOnly(actor)).toBe(true);
    }
  });
});
