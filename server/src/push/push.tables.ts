import type { Generated } from 'kysely';
import type { CreatedAt } from '../platform/db/schema.js';

/** The tables of push: their row types, added to the Database map below. */

export interface PushSubscriptionTable {
  id: Generated<string>;
  association_id: string;
  person_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: CreatedAt;
}

declare module '../platform/db/schema.js' {
  interface Database {
    push_subscriptions: PushSubscriptionTable;
  }
}
