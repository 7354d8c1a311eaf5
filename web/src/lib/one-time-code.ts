/**
 * A one-time code as a person types it (a join passcode, a password-reset code): full-width
 * characters, lower case, spaces and hyphens forgiven, as on the printed slips.
 */
export function normaliseCode(value: string): string {
  return value
    .replace(/[Ａ-Ｚａ-ｚ０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .toUpperCase()
    .replace(/[\s-]/g, '');
}
