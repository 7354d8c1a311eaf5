import { requireRole, type Actor } from '../common/access.js';

/**
 * Who edits the directory. Search is public (no actor). For now a directory editor is an
 * officer, and changes only the entries their own association added (scoped in the query:
 * another association's entry, or a city-wide one, is a 404). A city editor role and an
 * organisation's own login come later.
 */
export const directoryPolicy = {
  edit(actor: Actor): void {
    requireRole(actor.officer, 'officers (directory editors)');
  },

  /**
   * Whether an entry may be as it is: one that shows (any status but a draft) must give a way to
   * reach it, a phone number, a web address or an address. (An imported row with none is kept as a draft.)
   */
  reachable(entry: { status: unknown; phone?: unknown; web?: unknown; address?: unknown }): boolean {
    return entry.status === 'draft' || !!entry.phone || !!entry.web || !!entry.address;
  },
  /**
   * The half of a map position that is missing when an entry would have only one (the field a
   * 400 names), or null: a pin has its latitude and its longitude, or neither.
   */
  halfPin(entry: { lat: unknown; lon: unknown }): 'lat' | 'lon' | null {
    if ((entry.lat === null) === (entry.lon === null)) return null;
    return entry.lat === null ? 'lat' : 'lon';
  },
};
