import type { SessionView } from '../../../server/src/contracts/auth.js';
import type { Answer, CircularDetail } from '../../../server/src/contracts/circulars.js';
import type { TargetView } from '../../../server/src/contracts/drills.js';
import type { HouseholdDetail } from '../../../server/src/contracts/roster.js';
import type { RouteContract, SentPart } from '../../../server/src/contracts/route.js';
import { routeContracts } from '../../../server/src/contracts/routes.js';
import type { Alert } from '../../../server/src/contracts/watch.js';
import { request, submit, url, type Answer as ApiAnswer } from './api-client.js';

export { ApiError, isRetryable, setCsrfToken, setUnauthorizedHandler } from './api-client.js';

/**
 * The web app's calls, by name, each one line over a route contract: the URL, method and
 * types come from the contract (server/src/contracts), the plumbing from lib/api-client.ts.
 */

type Body<C extends RouteContract> = SentPart<C, 'body'>;
type Query<C extends RouteContract> = NonNullable<SentPart<C, 'query'>>;
type Reply<C extends RouteContract> = ApiAnswer<C>;

export type Language = SessionView['person']['preferredLanguage'];
export type Channel = HouseholdDetail['channels'][number];
export type CircularStatus = CircularDetail['status'];
export type Attachment = CircularDetail['attachments'][number];

export type AlertOutcome = NonNullable<Alert['outcome']>;
export type SafetyStatus = NonNullable<TargetView['status']>;
export type Whereabouts = NonNullable<TargetView['where']>;
export type VisitOutcome = NonNullable<TargetView['visitOutcome']>;
export type AccessLogEntry = Reply<typeof watch.accessLog>['items'][number];
export type CircularQuery = Query<typeof circulars.list>;
export type HouseholdQuery = Query<typeof roster.households>;

const { auth, roster, devices, circulars, tasks, watch, drills, push, readiness, quakes, shelters, directory, referrals, directoryAccounts } = routeContracts;

/** Typed calls for every endpoint the web app uses. */
export const api = {
  login: (body: Body<typeof auth.login>) => request(auth.login, { body }),
  logout: () => request(auth.logout),
  session: () => request(auth.session),
  updateMe: (preferredLanguage: Language) => request(auth.updateMe, { body: { preferredLanguage } }),
  changePassword: (body: Body<typeof auth.changePassword>) => request(auth.changePassword, { body }),
  updateAssociation: (body: Body<typeof auth.updateAssociation>) => request(auth.updateAssociation, { body }),

  joinLookup: (code: string) => request(auth.joinLookup, { body: { code } }),
  join: (body: Body<typeof auth.join>) => request(auth.join, { body }),
  issueResetCode: (personId: string, body: Body<typeof auth.issueResetCode>) => request(auth.issueResetCode, { params: { id: personId }, body }),
  resetPassword: (body: Body<typeof auth.resetPassword>) => request(auth.resetPassword, { body }),

  blocks: () => request(roster.blocks),
  createBlock: (body: Body<typeof roster.createBlock>) => request(roster.createBlock, { body }),
  updateBlock: (id: string, body: Body<typeof roster.updateBlock>) => request(roster.updateBlock, { params: { id }, body }),
  setCaptains: (id: string, body: Body<typeof roster.setCaptains>) => request(roster.setCaptains, { params: { id }, body }),

  households: (query: HouseholdQuery = {}, signal?: AbortSignal) => request(roster.households, { query, signal }),
  household: (id: string, signal?: AbortSignal) => request(roster.household, { params: { id }, signal }),
  createHousehold: (body: Body<typeof roster.createHousehold>) => request(roster.createHousehold, { body }),
  updateHousehold: (id: string, body: Body<typeof roster.updateHousehold>) => request(roster.updateHousehold, { params: { id }, body }),

  people: (query: { q?: string; withoutHousehold?: boolean } = {}) =>
    request(roster.people, {
      query: { q: query.q, withoutHousehold: query.withoutHousehold === undefined ? undefined : query.withoutHousehold ? 'true' : 'false' },
    }),
  createPerson: (body: Body<typeof roster.createPerson>) => request(roster.createPerson, { body }),
  updatePerson: (id: string, body: Body<typeof roster.updatePerson>) => request(roster.updatePerson, { params: { id }, body }),

  importRoster: (file: Blob, mode: 'preview' | 'commit') => request(roster.importRoster, { query: { mode }, raw: { body: file } }),
  exportUrl: (encoding: 'utf-8' | 'shift_jis') => url(roster.exportRoster, { query: { encoding } }),
  /** The export as a file; a refusal (Shift_JIS cannot hold some names: 422) is an ApiError with the cells as issues. */
  exportRoster: (encoding: 'utf-8' | 'shift_jis') => request(roster.exportRoster, { query: { encoding } }),

  passcodes: (body: Body<typeof roster.passcodes>) => request(roster.passcodes, { body }),
  letters: (body: Body<typeof roster.letters>) => request(roster.letters, { body }),
  unregistered: (blockId: string, signal?: AbortSignal) => request(roster.unregistered, { params: { id: blockId }, signal }),
  helpDeskPasscode: (householdId: string) => request(roster.helpDeskPasscode, { params: { id: householdId } }),
  familyInvitation: (householdId: string) => request(roster.familyInvitation, { params: { id: householdId } }),

  devices: () => request(devices.list),
  createDevice: (body: Body<typeof devices.register>) => request(devices.register, { body }),
  rotateDevice: (id: string) => request(devices.rotateCredentials, { params: { id } }),
  revokeDevice: (id: string) => request(devices.revoke, { params: { id } }),

  circulars: (query: CircularQuery = {}, signal?: AbortSignal) => request(circulars.list, { query, signal }),
  circular: (id: string, signal?: AbortSignal) => request(circulars.get, { params: { id }, signal }),
  createCircular: (body: Body<typeof circulars.create>) => request(circulars.create, { body }),
  updateCircular: (id: string, body: Body<typeof circulars.update>) => request(circulars.update, { params: { id }, body }),
  deleteCircular: (id: string) => request(circulars.delete, { params: { id } }),
  publishCircular: (id: string) => request(circulars.publish, { params: { id }, body: {} }),
  correctCircular: (id: string, body: Body<typeof circulars.correct>) => request(circulars.correct, { params: { id }, body }),
  withdrawCircular: (id: string, reason: string) => request(circulars.withdraw, { params: { id }, body: { reason } }),
  uploadAttachment: (id: string, file: File) =>
    request(circulars.addAttachment, { params: { id }, query: { filename: file.name }, raw: { body: file, contentType: file.type } }),
  deleteAttachment: (id: string, attachmentId: string) => request(circulars.removeAttachment, { params: { id, attachmentId } }),
  // Answers are retried until stored (see submit); acknowledging twice keeps the first.
  acknowledge: (id: string) => submit(circulars.acknowledge, { params: { id }, body: {} }),
  answer: (id: string, answer: Answer) => submit(circulars.answer, { params: { id }, body: { answer } }),
  progress: (id: string, signal?: AbortSignal) => request(circulars.progress, { params: { id }, signal }),
  unread: (id: string, blockId: string | undefined, signal?: AbortSignal) => request(circulars.unread, { params: { id }, query: { blockId }, signal }),
  paperSignoffs: (id: string, householdIds: string[]) => request(circulars.paperSignoffs, { params: { id }, body: { householdIds } }),
  printSheet: (id: string, blockId: string, signal?: AbortSignal) => request(circulars.print, { params: { id }, query: { blockId }, signal }),

  tasks: (status: 'open' | 'done' = 'open', signal?: AbortSignal) => request(tasks.list, { query: { status }, signal }),
  resolveTask: (id: string, note: string) => request(tasks.resolve, { params: { id }, body: { note } }),
  captainList: (blockId: string | undefined, signal?: AbortSignal) => request(tasks.captainList, { query: { blockId }, signal }),
  bulkPaperSignoff: (body: Body<typeof tasks.paperSignoff>) => request(tasks.paperSignoff, { body }),

  watchAlerts: (status: 'live' | 'closed' = 'live', signal?: AbortSignal) => request(watch.alerts, { query: { status }, signal }),
  takeAlert: (id: string) => request(watch.takeAlert, { params: { id }, body: {} }),
  resolveAlert: (id: string, outcome: AlertOutcome, note: string) => request(watch.resolveAlert, { params: { id }, body: { outcome, note } }),
  watchBoard: (signal?: AbortSignal) => request(watch.board, { signal }),
  householdWatch: (id: string, signal?: AbortSignal) => request(watch.household, { params: { id }, signal }),
  updateWatchSettings: (id: string, body: Body<typeof watch.updateSettings>) => request(watch.updateSettings, { params: { id }, body }),
  addAway: (id: string, body: Body<typeof watch.addAway>) => request(watch.addAway, { params: { id }, body }),
  removeAway: (id: string, awayId: string) => request(watch.removeAway, { params: { id, awayId } }),
  watchAccessLog: (signal?: AbortSignal) => request(watch.accessLog, { signal }),

  drills: (signal?: AbortSignal) => request(drills.list, { signal }),
  myDrills: (signal?: AbortSignal) => request(drills.mine, { signal }),
  startDrill: (body: Body<typeof drills.start>) => request(drills.start, { body }),
  answerDrill: (id: string, body: Body<typeof drills.answer>) => submit(drills.answer, { params: { id }, body }),
  proxyAnswer: (id: string, body: Body<typeof drills.proxy>) => submit(drills.proxy, { params: { id }, body }),
  takeDrillTask: (id: string, householdId: string) => request(drills.take, { params: { id }, body: { householdId } }),
  recordVisit: (id: string, body: Body<typeof drills.visit>) => submit(drills.visit, { params: { id }, body }),
  drillDashboard: (id: string, signal?: AbortSignal) => request(drills.dashboard, { params: { id }, signal }),
  drillTasks: (id: string, signal?: AbortSignal) => request(drills.tasks, { params: { id }, signal }),
  endDrill: (id: string) => request(drills.end, { params: { id }, body: {} }),
  drillReport: (id: string, signal?: AbortSignal) => request(drills.report, { params: { id }, signal }),
  drillReportCsvUrl: (id: string) => url(drills.reportCsv, { params: { id } }),

  pushPublicKey: () => request(push.publicKey),
  pushSubscribe: (body: Body<typeof push.subscribe>) => request(push.subscribe, { body }),
  pushUnsubscribe: (endpoint: string) => request(push.unsubscribe, { body: { endpoint } }),

  readiness: (query: Query<typeof readiness.view> = {}, signal?: AbortSignal) => request(readiness.view, { query, signal }),
  readinessPreflight: (blockIds: string[] | null, signal?: AbortSignal) => request(readiness.preflight, { body: { blockIds }, signal }),

  quakeSettings: (signal?: AbortSignal) => request(quakes.settings, { signal }),
  saveQuakeSettings: (body: Body<typeof quakes.saveSettings>) => request(quakes.saveSettings, { body }),
  quakeLog: (signal?: AbortSignal) => request(quakes.log, { query: {}, signal }),

  shelters: (signal?: AbortSignal) => request(shelters.list, { signal }),
  importShelters: (file: Blob, mode: 'preview' | 'commit') => request(shelters.import, { query: { mode }, raw: { body: file } }),
  setShelterListed: (id: string, listed: boolean) => request(shelters.update, { params: { id }, body: { listed } }),
  deleteShelter: (id: string) => request(shelters.remove, { params: { id } }),
  quakeNotices: (signal?: AbortSignal) => request(quakes.notices, { signal }),
  directorySearch: (query: Query<typeof directory.search>, signal?: AbortSignal) => request(directory.search, { query, signal }),
  directoryServices: (signal?: AbortSignal) => request(directory.list, { signal }),
  createDirectoryService: (body: Body<typeof directory.create>) => request(directory.create, { body }),
  updateDirectoryService: (id: string, body: Body<typeof directory.update>) => request(directory.update, { params: { id }, body }),
  confirmDirectoryService: (id: string) => request(directory.confirm, { params: { id } }),
  directoryHistory: (query: Query<typeof directory.history>, signal?: AbortSignal) => request(directory.history, { query, signal }),
  importDirectory: (file: Blob, mode: 'preview' | 'commit') => request(routeContracts.directoryImport.import, { query: { mode }, raw: { body: file } }),
  directoryExportUrl: (encoding: 'utf-8' | 'shift_jis') => url(routeContracts.directoryImport.export, { query: { encoding } }),
  exportDirectory: (encoding: 'utf-8' | 'shift_jis') => request(routeContracts.directoryImport.export, { query: { encoding } }),
  referralServices: (worries: string, signal?: AbortSignal) => request(referrals.services, { query: { worries }, signal }),
  createReferral: (body: Body<typeof referrals.create>) => request(referrals.create, { body }),
  householdReferrals: (householdId: string, signal?: AbortSignal) => request(referrals.household, { params: { householdId }, signal }),
  referralCounts: (months: number, signal?: AbortSignal) => request(referrals.counts, { query: { months }, signal }),
  referralCountsCsvUrl: (months: number) => url(referrals.countsCsv, { query: { months } }),
  inviteOrganisation: (body: Body<typeof directoryAccounts.invite>) => request(directoryAccounts.invite, { body }),
  directoryReview: (signal?: AbortSignal) => request(directoryAccounts.review, { signal }),
  approveDirectoryChange: (id: string) => request(directoryAccounts.approve, { params: { id } }),
  rejectDirectoryChange: (id: string, reason: string) => request(directoryAccounts.reject, { params: { id }, body: { reason } }),
  directoryJoin: (body: Body<typeof directoryAccounts.join>) => request(directoryAccounts.join, { body }),
  directoryLogin: (body: Body<typeof directoryAccounts.login>) => request(directoryAccounts.login, { body }),
  directoryLogout: () => request(directoryAccounts.logout),
  directoryAccount: (signal?: AbortSignal) => request(directoryAccounts.me, { signal }),
  proposeDirectoryChange: (id: string, body: Body<typeof directoryAccounts.change>) => request(directoryAccounts.change, { params: { id }, body }),
  proposeDirectoryService: (body: Body<typeof directoryAccounts.propose>) => request(directoryAccounts.propose, { body }),
  reconfirmDirectoryService: (id: string) => request(directoryAccounts.reconfirm, { params: { id } }),
  directoryAccountHistory: (query: Query<typeof directoryAccounts.history>, signal?: AbortSignal) => request(directoryAccounts.history, { query, signal }),
  cityDirectoryReview: (signal?: AbortSignal) => request(directoryAccounts.cityReview, { signal }),
  cityApproveDirectoryChange: (id: string) => request(directoryAccounts.cityApprove, { params: { id } }),
  cityRejectDirectoryChange: (id: string, reason: string) => request(directoryAccounts.cityReject, { params: { id }, body: { reason } }),
  cityDirectoryServices: (signal?: AbortSignal) => request(routeContracts.directoryCity.list, { signal }),
  createCityDirectoryService: (body: Body<typeof routeContracts.directoryCity.create>) => request(routeContracts.directoryCity.create, { body }),
  updateCityDirectoryService: (id: string, body: Body<typeof routeContracts.directoryCity.update>) => request(routeContracts.directoryCity.update, { params: { id }, body }),
  confirmCityDirectoryService: (id: string) => request(routeContracts.directoryCity.confirm, { params: { id } }),
  importCityDirectory: (file: Blob, mode: 'preview' | 'commit') => request(routeContracts.directoryCity.import, { query: { mode }, raw: { body: file } }),
  cityDirectoryExportUrl: (encoding: 'utf-8' | 'shift_jis') => url(routeContracts.directoryCity.export, { query: { encoding } }),
  exportCityDirectory: (encoding: 'utf-8' | 'shift_jis') => request(routeContracts.directoryCity.export, { query: { encoding } }),
  inviteCityDirectoryOrganisation: (body: Body<typeof routeContracts.directoryCity.invite>) => request(routeContracts.directoryCity.invite, { body }),
};
