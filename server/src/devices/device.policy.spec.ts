import { describe, expect, it } from 'vitest';
import type { Actor } from '../common/access.js';
import { canManageDevices } from './device.policy.js';

const actor = (overrides: Partial<Actor> = {}): Actor => ({
  sessionId: 's',
  personId: 'p',
  associationId: 'a1',
  officer: false,
  captainOf: [],
  volunteer: false,
  welfareCommissioner: false,
  watcherOf: [],
  householdId: null,
  ...overrides,
});

describe('device access rules', () => {
  it("lets an association's officers manage its speakers", () => {
    expect(canManageDevices(actor({ officer: true }), 'a1')).toBe(true);
  });

  it('refuses officers of another association', () => {
    expect(canManageDevices(actor({ officer: true }), 'a2')).toBe(false);
  });

  it('refuses everyone else, whatever else they hold', () => {
    expect(canManageDevices(actor({ captainOf: ['b1'], volunteer: true, welfareCommissioner: true, watcherOf: ['h1'], householdId: 'h1' }), 'a1')).toBe(false);
  });
});
