/**
 * The words for the server's error codes (HttpError `code`) a user can meet in a form: the
 * catalogue key of each (web/src/i18n). The server's own `message` is English, for logs and API
 * callers; a code listed here is shown in the user's language instead (ui/alerts errorMessage,
 * lib/forms fieldErrorsOf). error-codes.spec.ts checks every key is in all three catalogues and
 * every 409 the server can send is listed here or in UNSHOWN_CONFLICTS.
 */
export const ERROR_CODE_KEYS: Readonly<Record<string, string>> = {
  // Conflicts: the state changed, or the name is taken.
  city_organisation: 'errors.code.cityOrganisation',
  organisation_has_login: 'directory.form.organisationHasLogin',
  login_taken: 'errors.code.loginTaken',
  no_area: 'errors.code.noArea',
  import_raced: 'errors.code.importRaced',
  household_full: 'join.errors.full',
  invalid_member: 'errors.code.invalidMember',
  push_endpoint_taken: 'errors.code.pushEndpointTaken',
  block_name_taken: 'errors.code.blockNameTaken',
  household_number_taken: 'errors.code.householdNumberTaken',
  contact_taken: 'errors.code.contactTaken',
  circular_withdrawn: 'errors.code.circularWithdrawn',
  circular_state: 'errors.code.circularState',
  answer_closed: 'errors.code.answerClosed',
  drill_ended: 'errors.code.drillEnded',
  household_taken: 'errors.code.householdTaken',
  // A form's values the server alone can check (the clock, the saved entry).
  no_contact: 'errors.code.noContact',
  half_pin: 'errors.code.halfPin',
  due_in_past: 'errors.code.dueInPast',
  due_before_publish: 'errors.code.dueBeforePublish',
  deadline_in_past: 'errors.code.deadlineInPast',
  no_households: 'errors.code.noHouseholds',
};

/**
 * 409 codes with no words of their own here, each with why: a page handles them itself, only a
 * hand-made request (not the app) can cause them, or (`conflict`) the generic code, shown as
 * errors.conflict. The watch's and devices' refusals, referrals, the drill report and issuing a
 * password-reset code for a person with no login still send the generic one.
 */
export const UNSHOWN_CONFLICTS: Readonly<Record<string, string>> = {
  conflict: 'the generic code: shown as errors.conflict',
};

/** The catalogue key for an error code, if the web has words for it. */
export function errorCodeKey(code: string): string | undefined {
  return Object.hasOwn(ERROR_CODE_KEYS, code) ? ERROR_CODE_KEYS[code] : undefined;
}
