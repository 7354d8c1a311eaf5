import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, Timestamp } from '../platform/db/schema.js';
import type { Heartbeat, StoredUplink } from '../../../devices/src/protocol.js';

/** The tables of devices: their row types, added to the Database map below. */

export interface DeviceTable {
  id: Generated<string>;
  association_id: string;
  household_id: string | null;
  label: string;
  secret_hash: string;
  credentials_issued_at: Timestamp;
  revoked_at: Date | null;
  online: Generated<boolean>;
  last_seen_at: Date | null;
  /** The latest heartbeat by arrival, written by device ingest as JSON text. */
  last_heartbeat: ColumnType<Heartbeat | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
}

export interface DeviceMessageTable {
  device_id: string;
  boot_id: string;
  seq: number;
  kind: string;
  sent_at: Timestamp;
  received_at: CreatedAt;
  /**
   * The uplink as validated (devices/src/protocol.ts) less its envelope — bootId, seq and ts
   * are the row's boot_id, seq and sent_at —, written as JSON text.
   */
  payload: ColumnType<StoredPayload, string, never>;
}

/** An event's own fields: the uplink without the envelope its row holds in columns. */
export type StoredPayload = StoredUplink extends infer U ? (U extends unknown ? Omit<U, 'bootId' | 'seq' | 'ts'> : never) : never;

export type Device = Selectable<DeviceTable>;

declare module '../platform/db/schema.js' {
  interface Database {
    devices: DeviceTable;
    device_messages: DeviceMessageTable;
  }
}
