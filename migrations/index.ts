import type { Migration } from 'kysely';
import * as foundation from './20261122T0800_foundation.js';
import * as circulars from './20261122T0900_circulars.js';
import * as socketIoAdapter from './20261122T0930_socket_io_adapter.js';
import * as watch from './20261122T1000_watch.js';
import * as drills from './20261122T1100_drills.js';
import * as delaysInSeconds from './20261201T0100_delays_in_seconds.js';
import * as requestKeys from './20261201T0100_request_keys.js';
import * as rateLimits from './20261201T0200_rate_limits.js';
import * as loginSince from './20261202T0100_login_since.js';
import * as drillSkippedTiers from './20261202T0200_drill_skipped_tiers.js';
import * as familyMembers from './20261202T0300_family_members.js';
import * as watchRhythm from './20261202T0600_watch_rhythm.js';
import * as associationTimeZone from './20261202T0700_association_time_zone.js';
import * as drillCounts from './20261203T0300_drill_counts.js';
import * as deviceMessagesKindIndex from './20261203T0400_device_messages_kind_index.js';
import * as deviceMessagesDeviceCheck from './20261203T0500_device_messages_device_check.js';
import * as dropCircularUnreadIndex from './20261203T0500_drop_circular_unread_index.js';
import * as drillCountsKeyOrder from './20261203T0600_drill_counts_key_order.js';
import * as drillTargetsDrillCheckedOnce from './20261203T0610_drill_targets_drill_checked_once.js';
import * as drillDashboardRevision from './20261204T0100_drill_dashboard_revision.js';
import * as drillTargetsHouseholdCheckedOnce from './20261204T0200_drill_targets_household_checked_once.js';
import * as drillCountsInsertLean from './20261204T0210_drill_counts_insert_lean.js';
import * as circularRecipientsCheckedOnce from './20261204T0300_circular_recipients_checked_once.js';
import * as deviceIngestIndexes from './20261204T0400_device_ingest_indexes.js';
import * as quakes from './20261205T0100_quakes.js';
import * as quakeFixes from './20261205T0200_quake_fixes.js';
import * as keyCheckGuards from './20261205T0300_key_check_guards.js';
import * as shelters from './20261206T0100_shelters.js';
import * as quakeEventTiming from './20261206T0200_quake_event_timing.js';
import * as deviceMessagesNarrower from './20261206T0300_device_messages_narrower.js';
import * as directory from './20261206T0500_directory.js';
import * as quakeTriggerUnreceived from './20261206T0600_quake_trigger_unreceived.js';
import * as quakeCities from './20261207T0100_quake_cities.js';
import * as directoryAccounts from './20261207T0200_directory_accounts.js';
import * as referrals from './20261207T0300_referrals.js';
import * as directoryImport from './20261207T0400_directory_import.js';
import * as directoryReminders from './20261207T0800_directory_reminders.js';
import * as drillTargetsTakenByChecked from './20261208T0300_drill_targets_taken_by_checked.js';
import * as directoryCityOwner from './20261208T0400_directory_city_owner.js';
import * as directoryCityOwnerBackfill from './20261208T0700_directory_city_owner_backfill.js';
import * as directoryAuditOfficers from './20261209T0200_directory_audit_officers.js';
import * as devicesLastSeenUnindexed from './20261209T0300_devices_last_seen_unindexed.js';
import * as passwordResetCodes from './20261210T0100_password_reset_codes.js';
import * as watchRhythmRuns from './20261210T0200_watch_rhythm_runs.js';
import * as directoryAuditImportOwner from './20261210T0500_directory_audit_import_owner.js';

/**
 * Every migration, by its sortable name. A static list (not a directory scan) so the same
 * code runs from TypeScript under the tests and from the compiled build.
 */
export const migrations: Record<string, Migration> = {
  '20261122T0800_foundation': foundation,
  '20261122T0900_circulars': circulars,
  '20261122T0930_socket_io_adapter': socketIoAdapter,
  '20261122T1000_watch': watch,
  '20261122T1100_drills': drills,
  '20261201T0100_delays_in_seconds': delaysInSeconds,
  '20261201T0100_request_keys': requestKeys,
  '20261201T0200_rate_limits': rateLimits,
  '20261202T0100_login_since': loginSince,
  '20261202T0200_drill_skipped_tiers': drillSkippedTiers,
  '20261202T0300_family_members': familyMembers,
  '20261202T0600_watch_rhythm': watchRhythm,
  '20261202T0700_association_time_zone': associationTimeZone,
  '20261203T0300_drill_counts': drillCounts,
  '20261203T0400_device_messages_kind_index': deviceMessagesKindIndex,
  '20261203T0500_device_messages_device_check': deviceMessagesDeviceCheck,
  '20261203T0500_drop_circular_unread_index': dropCircularUnreadIndex,
  '20261203T0600_drill_counts_key_order': drillCountsKeyOrder,
  '20261203T0610_drill_targets_drill_checked_once': drillTargetsDrillCheckedOnce,
  '20261204T0100_drill_dashboard_revision': drillDashboardRevision,
  '20261204T0200_drill_targets_household_checked_once': drillTargetsHouseholdCheckedOnce,
  '20261204T0210_drill_counts_insert_lean': drillCountsInsertLean,
  '20261204T0300_circular_recipients_checked_once': circularRecipientsCheckedOnce,
  '20261204T0400_device_ingest_indexes': deviceIngestIndexes,
  '20261205T0100_quakes': quakes,
  '20261205T0200_quake_fixes': quakeFixes,
  '20261205T0300_key_check_guards': keyCheckGuards,
  '20261206T0100_shelters': shelters,
  '20261206T0200_quake_event_timing': quakeEventTiming,
  '20261206T0300_device_messages_narrower': deviceMessagesNarrower,
  '20261206T0500_directory': directory,
  '20261206T0600_quake_trigger_unreceived': quakeTriggerUnreceived,
  '20261207T0100_quake_cities': quakeCities,
  '20261207T0200_directory_accounts': directoryAccounts,
  '20261207T0300_referrals': referrals,
  '20261207T0400_directory_import': directoryImport,
  '20261207T0800_directory_reminders': directoryReminders,
  '20261208T0300_drill_targets_taken_by_checked': drillTargetsTakenByChecked,
  '20261208T0400_directory_city_owner': directoryCityOwner,
  '20261208T0700_directory_city_owner_backfill': directoryCityOwnerBackfill,
  '20261209T0200_directory_audit_officers': directoryAuditOfficers,
  '20261209T0300_devices_last_seen_unindexed': devicesLastSeenUnindexed,
  '20261210T0100_password_reset_codes': passwordResetCodes,
  '20261210T0200_watch_rhythm_runs': watchRhythmRuns,
  '20261210T0500_directory_audit_import_owner': directoryAuditImportOwner,
};
