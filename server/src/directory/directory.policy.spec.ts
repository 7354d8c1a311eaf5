import { describe, expect, it } from 'vitest';
import type { Actor } from '../common/access.js';
import { directoryPolicy } from './directory.policy.js';

const actor = (over: Partial<Actor> = {}): Actor => ({
  sessionId: 's', personId: 'p', associationId: 'x', officer: false, captainOf: [], volunteer: false, welfareCommissioner: false, watcherOf: [], householdId: null, ...over,
});

describe('directory policy', () => {
  it('officers edit the directory; 班長, members, watchers and volunteers do not (403)', () => {
    expect(() => directoryPolicy.edit(actor({ officer: true }))).not.toThrow();
    for (const other of [actor({ captainOf: ['b'] }), actor({ householdId: 'h' }), actor({ watcherOf: ['h'] }), actor({ volunteer: true }), actor({ welfareCommissioner: true })]) {
      expect(() => directoryPolicy.edit(other)).toThrow(/directory editors/);
    }
  });

  it('an entry that shows needs a phone, a web address or an address; a draft may lack all three', () => {
    expect(directoryPolicy.reachable({ status: 'published', phone: '0774-00-0000', web: '', address: '' })).toBe(true);
    expect(directoryPolicy.reachable({ status: 'published', phone: '', web: 'https://example.jp', address: '' })).toBe(true);
    expect(directoryPolicy.reachable({ status: 'hidden', phone: '', web: '', address: '京都市左京区' })).toBe(true);
    for (const status of ['published', 'stale', 'hidden']) expect(directoryPolicy.reachable({ status, phone: '', web: '', address: '' })).toBe(false);
    expect(directoryPolicy.reachable({ status: 'draft', phone: '', web: '', address: '' })).toBe(true);
  });

  it('a map pin has both halves or neither: the missing half is named', () => {
    expect(directoryPolicy.halfPin({ lat: 34.8, lon: 135.7 })).toBe(null);
    expect(directoryPolicy.halfPin({ lat: null, lon: null })).toBe(null);
    expect(directoryPolicy.halfPin({ lat: 34.8, lon: null })).toBe('lon');
    expect(directoryPolicy.halfPin({ lat: null, lon: 135.7 })).toBe('lat');
  });
});
