import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app instance, so tests that build several apps do not share counters. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Histogram({
      name: 'tonari_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    mqttMessages: new Counter({
      name: 'tonari_mqtt_messages_total',
      help: 'Device uplinks by kind and outcome (accepted, duplicate, rejected)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    mqttRejections: new Counter({
      name: 'tonari_mqtt_rejections_total',
      help: 'Device uplinks rejected, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    mqttAnswersWithoutKind: new Counter({
      name: 'tonari_mqtt_answers_without_kind_total',
      help: 'Prompt answers from firmware that does not name the prompt kind (looked up as a watch check, then a drill)',
      registers: [registry],
    }),
    brokerAuthFailures: new Counter({
      name: 'tonari_broker_auth_failures_total',
      help: 'Refused device connections and publishes, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    ingestLag: new Histogram({
      name: 'tonari_ingest_lag_seconds',
      help: 'Device uplinks: time from receipt to the commit of their batch (when they may be acknowledged)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    ingestInFlight: new Gauge({
      name: 'tonari_ingest_in_flight',
      help: 'Device uplinks received and not yet stored (unacknowledged to the broker)',
      registers: [registry],
    }),
    ingestLastCommit: new Gauge({
      name: 'tonari_ingest_last_commit_timestamp_seconds',
      help: 'Unix time of the last committed batch of device uplinks',
      registers: [registry],
    }),
    ingestStorageRetries: new Counter({
      name: 'tonari_ingest_storage_retries_total',
      help: 'Batches of device uplinks that could not be committed and are retried (kept unacknowledged meanwhile)',
      registers: [registry],
    }),
    ingestSubscribed: new Gauge({
      name: 'tonari_ingest_subscribed',
      help: '1 while the uplink subscription is confirmed by the broker on the current connection, else 0',
      registers: [registry],
    }),
    sockets: new Gauge({ name: 'tonari_socket_connections', help: 'Connected Socket.IO clients', registers: [registry] }),
    quakeTelegrams: new Counter({
      name: 'tonari_quake_telegrams_total',
      help: 'JMA feed polls and telegrams by outcome (stored, duplicate, seen, rejected, fetch_failed, feed_failed, not_modified, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    logins: new Counter({
      name: 'tonari_logins_total',
      help: 'Login attempts by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
