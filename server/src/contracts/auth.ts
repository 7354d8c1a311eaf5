import { z } from 'zod';
import { emailSchema, idParamsSchema, languageSchema, okSchema, passwordSchema, phoneSchema, text, timeZoneSchema, trimmed, uuid } from './common.js';
import { defineRoute } from './route.js';

/** The session contract: logging in and out, my account, and joining a household by passcode. */

// ── Session ────────────────────────────────────────────────────────────────────────────

export const loginRequestSchema = z.object({
  identifier: text().trim().min(1, 'enter your email or phone number').max(254),
  password: text().min(1, 'enter your password').max(200),
});

export const sessionViewSchema = z.object({
  person: z.object({ id: uuid, name: z.string(), preferredLanguage: languageSchema }),
  /** timeZone: the IANA zone every time is shown, exported and named in. */
  association: z.object({ id: uuid, name: z.string(), timeZone: z.string() }),
  roles: z.object({
    officer: z.boolean(),
    captainOf: z.array(z.object({ id: uuid, name: z.string() })),
    volunteer: z.boolean(),
    welfareCommissioner: z.boolean(),
    watcherOf: z.array(z.object({ id: uuid, name: z.string() })),
    household: z.object({ id: uuid, name: z.string() }).nullable(),
  }),
  csrfToken: z.string(),
});

export const updateMeRequestSchema = z.object({ preferredLanguage: languageSchema });
/** An officer's settings of their association. */
export const updateAssociationRequestSchema = z.object({ timeZone: timeZoneSchema });
export const changePasswordRequestSchema = z.object({ currentPassword: z.string().min(1, 'enter your current password').max(200), newPassword: passwordSchema });

// ── Household onboarding by passcode ───────────────────────────────────────────────────

export const passcodeSchema = text()
  .trim()
  .transform((v) => v.toUpperCase().replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^[A-Z0-9]{8}$/, 'must be the 8-character code printed on the sheet'));

export const joinLookupRequestSchema = z.object({ code: passcodeSchema });
/** The most logins one household may have: its residents and family living elsewhere. */
export const HOUSEHOLD_LOGIN_LIMIT = 5;

export const joinLookupResponseSchema = z.object({
  household: z.object({ name: z.string(), blockName: z.string() }),
  members: z.array(z.object({ id: uuid, name: z.string(), hasAccount: z.boolean() })),
  /** How many more logins the household may have (HOUSEHOLD_LOGIN_LIMIT in all). */
  loginsLeft: z.number(),
});

export const joinRequestSchema = z
  .object({
    code: passcodeSchema,
    personId: uuid.optional(),
    name: trimmed(100).optional(),
    email: emailSchema.optional(),
    phone: phoneSchema.optional(),
    password: passwordSchema,
    preferredLanguage: languageSchema.default('ja'),
    /** A new member who is family living elsewhere, joining to answer for the household. */
    livesElsewhere: z.boolean().optional(),
  })
  .refine((v) => v.personId || v.name, { message: 'choose who you are or enter your name', path: ['name'] })
  .refine((v) => v.email || v.phone, { message: 'enter an email address or a phone number', path: ['email'] });

// ── Forgotten passwords: a one-time reset code an officer issues ───────────────────────

/** How long a password reset code works: three days, time for a slip to be handed over or posted through the door. */
export const PASSWORD_RESET_HOURS = 72;

/** A reset code as typed: like a join passcode, spaces, hyphens and lower case forgiven. */
export const resetCodeSchema = text()
  .trim()
  .transform((v) => v.toUpperCase().replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^[A-Z0-9]{8}$/, 'must be the 8-character code on the slip'));

/**
 * Issuing a code acts with the person's rights: the officer re-enters their own current
 * password, which a stolen session does not know (checked like changing one's password).
 */
export const issueResetCodeRequestSchema = z.object({ password: z.string().min(1, 'enter your own current password').max(200) });

/** The new password, with the same rules as changing it. */
export const passwordResetRequestSchema = z.object({ code: resetCodeSchema, newPassword: passwordSchema });

/** A code just issued: shown once (never stored, never shown again), with its QR code for the printed slip. */
export const resetCodeIssuedSchema = z.object({
  personId: uuid,
  personName: z.string(),
  code: z.string(),
  /** ${PUBLIC_URL}/reset?code=…, what the QR code holds. */
  resetUrl: z.string(),
  qrSvg: z.string(),
  expiresAt: z.string(),
});

export type LoginRequest = z.input<typeof loginRequestSchema>;
export type SessionView = z.infer<typeof sessionViewSchema>;
export type JoinLookupResponse = z.infer<typeof joinLookupResponseSchema>;
export type JoinRequest = z.input<typeof joinRequestSchema>;
export type IssueResetCodeRequest = z.input<typeof issueResetCodeRequestSchema>;
export type PasswordResetRequest = z.input<typeof passwordResetRequestSchema>;
export type ResetCodeIssued = z.infer<typeof resetCodeIssuedSchema>;

const tag = 'session';
export const authRoutes = {
  login: defineRoute({ method: 'post', path: '/api/auth/login', summary: 'Log in with email or phone and password', tag, access: 'public', body: loginRequestSchema, response: sessionViewSchema }),
  logout: defineRoute({ method: 'post', path: '/api/auth/logout', summary: 'Log out', tag, access: 'session', response: okSchema }),
  // Public, and null for nobody: an anonymous visit (the login page asks too) is an answer, not a 401 a browser logs as an error.
  session: defineRoute({ method: 'get', path: '/api/session', summary: 'The current session, or null when nobody is logged in', tag, access: 'public', response: sessionViewSchema.nullable() }),
  updateMe: defineRoute({ method: 'patch', path: '/api/me', summary: 'Change my preferred language', tag, access: 'session', body: updateMeRequestSchema, response: sessionViewSchema }),
  changePassword: defineRoute({ method: 'post', path: '/api/me/password', summary: 'Change my password; ends my other sessions', tag, access: 'session', body: changePasswordRequestSchema, response: okSchema }),
  joinLookup: defineRoute({ method: 'post', path: '/api/join/lookup', summary: 'Look up the household of a one-time passcode', tag, access: 'public', body: joinLookupRequestSchema, response: joinLookupResponseSchema }),
  join: defineRoute({ method: 'post', path: '/api/join', summary: 'Join a household with its one-time passcode and create a login', tag, access: 'public', body: joinRequestSchema, response: sessionViewSchema }),
  issueResetCode: defineRoute({ method: 'post', path: '/api/people/:id/password-reset-code', summary: "Issue a one-time password reset code for a person with a login (officers, re-entering their own password; voids the person's older unused codes; audited)", tag, access: 'session', params: idParamsSchema, body: issueResetCodeRequestSchema, response: resetCodeIssuedSchema }),
  resetPassword: defineRoute({ method: 'post', path: '/api/password-reset', summary: "Set a new password with a one-time reset code; ends all the person's sessions and logs them in", tag, access: 'public', body: passwordResetRequestSchema, response: sessionViewSchema }),
  updateAssociation: defineRoute({ method: 'patch', path: '/api/association', summary: "Change my association's time zone (officers)", tag, access: 'session', body: updateAssociationRequestSchema, response: sessionViewSchema }),
};
