import { phoneSchema } from '../contracts/common.js';

/**
 * What a login identifier names: an email address compared case-blind, or a phone number
 * however it is written (hyphens, spaces, full-width digits, +81). The login lookup and the
 * rate limit both use this, so every spelling of one person's identifier is one person.
 */
export function loginIdentity(identifier: string): { kind: 'email' | 'phone' | 'other'; value: string } {
  if (identifier.includes('@')) return { kind: 'email', value: identifier.trim().toLowerCase() };
  const phone = phoneSchema.safeParse(identifier);
  if (phone.success) return { kind: 'phone', value: phone.data.replace(/^\+81/, '0') };
  // Matches no account; still limited, by what was typed.
  return { kind: 'other', value: identifier.trim().toLowerCase() };
}

export type LoginIdentity = ReturnType<typeof loginIdentity>;

/** A number as stored: officers write 090… or +8190…. */
export const phoneSpellings = (national: string) => [national, national.replace(/^0/, '+81')];
