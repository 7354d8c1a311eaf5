import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'tonari' },
    // Never log secrets that pass through request bodies or MQTT CONNECT packets.
    redact: ['password', '*.password', 'headers.cookie', 'credentials.password'],
  });
}
