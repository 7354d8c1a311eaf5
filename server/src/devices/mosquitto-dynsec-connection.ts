import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';

/**
 * The command channel of Mosquitto's dynamic security plugin: JSON commands published to
 * `$CONTROL/dynamic-security/v1`, replies on `.../response` (only to the client that sent
 * them), correlated through the `correlationData` field that the plugin echoes back, so
 * several commands (and callers) can be in flight on one connection. What the commands do,
 * and why every operation is idempotent, is in mosquitto-dynsec.ts.
 */

export const DYNSEC_COMMAND_TOPIC = '$CONTROL/dynamic-security/v1';
export const DYNSEC_RESPONSE_TOPIC = '$CONTROL/dynamic-security/v1/response';

export type DynsecCommand = { command: string } & Record<string, unknown>;

export interface DynsecResponse {
  command?: string;
  error?: string;
  data?: unknown;
  correlationData?: string;
}

interface Pending {
  command: string;
  resolve: (response: DynsecResponse) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** A reply from the plugin that reports a failure; `dynsecError` is the plugin's own text. */
export class DynsecError extends Error {
  constructor(
    readonly command: string,
    readonly dynsecError: string,
  ) {
    super(`Mosquitto dynamic-security command ${command} failed: ${dynsecError}`);
    this.name = 'DynsecError';
  }
}

/** The connection dropped while a command waited for its reply; the command may or may not have run. */
export class DynsecDisconnectedError extends Error {
  constructor(readonly command: string) {
    super(`MQTT connection closed while Mosquitto dynamic-security command ${command} was waiting for its reply`);
    this.name = 'DynsecDisconnectedError';
  }
}

export class DynsecConnection {
  private readonly pending = new Map<string, Pending>();
  private subscribed: Promise<void> | null = null;

  constructor(
    private readonly client: MqttClient,
    private readonly timeoutMs: number,
  ) {
    this.client.on('message', this.onMessage);
    this.client.on('close', this.onClose);
  }

  /** Stops listening and fails whatever is still waiting; the MQTT client itself stays open. */
  dispose(): void {
    this.client.off('message', this.onMessage);
    this.client.off('close', this.onClose);
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`Mosquitto dynamic-security command ${pending.command} abandoned: disposed`));
      this.pending.delete(id);
    }
  }

  /** Resolves once the MQTT client has reconnected by itself (it must, with reconnectPeriod > 0). */
  waitForReconnect(after: string): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    const period = this.client.options.reconnectPeriod ?? 1000;
    if (period <= 0) {
      return Promise.reject(
        new Error(
          `MQTT connection lost during ${after}, and the client does not reconnect by itself ` +
            '(reconnectPeriod 0); reconnect and call again',
        ),
      );
    }
    const limit = this.timeoutMs + period * 2;
    return new Promise<void>((resolve, reject) => {
      const onConnect = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.client.off('connect', onConnect);
        reject(new Error(`MQTT admin client did not reconnect within ${limit} ms after ${after}`));
      }, limit);
      this.client.once('connect', onConnect);
    });
  }


  async command(command: DynsecCommand): Promise<DynsecResponse> {
    await this.ensureSubscribed();
    const correlationData = randomUUID();
    const reply = new Promise<DynsecResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationData);
        reject(
          new Error(
            `Mosquitto dynamic-security command ${command.command} got no reply within ${this.timeoutMs} ms ` +
              '(is the dynamic security plugin loaded, and does the MQTT user have the dynsec admin role?)',
          ),
        );
      }, this.timeoutMs);
      timer.unref();
      this.pending.set(correlationData, { command: command.command, resolve, reject, timer });
    });
    const payload = JSON.stringify({ commands: [{ ...command, correlationData }] });
    // QoS 0: see the top of this file for why a re-sent command is worse than a lost one.
    this.client.publish(DYNSEC_COMMAND_TOPIC, payload, { qos: 0 }, (error) => {
      if (!error) return;
      const pending = this.pending.get(correlationData);
      if (!pending) return;
      clearTimeout(pending.timer);
      this.pending.delete(correlationData);
      pending.reject(
        this.client.connected
          ? new Error(`Could not send Mosquitto dynamic-security command ${command.command}: ${error.message}`)
          : new DynsecDisconnectedError(command.command),
      );
    });
    const response = await reply;
    if (response.error) throw new DynsecError(command.command, response.error);
    return response;
  }

  /**
   * Subscribes to the reply topic before the first command, and again after every
   * reconnect: a clean session loses the subscription, and a command sent before the
   * broker has it back would have its reply dropped. Re-subscribing is harmless.
   */
  private ensureSubscribed(): Promise<void> {
    this.subscribed ??= new Promise<void>((resolve, reject) => {
      this.client.subscribe(DYNSEC_RESPONSE_TOPIC, { qos: 1 }, (error, granted) => {
        // A refused subscription comes back as granted QoS 128 (v3.1.1) or a reason code >= 0x80 (v5).
        const refused = granted?.some((grant) => grant.qos >= 0x80);
        if (error && !this.client.connected) {
          this.subscribed = null;
          reject(new DynsecDisconnectedError('subscribe'));
        } else if (error || refused) {
          this.subscribed = null;
          reject(
            new Error(
              `Could not subscribe to ${DYNSEC_RESPONSE_TOPIC}: ${error?.message ?? 'not authorised'} ` +
                '(does the MQTT user have the dynsec admin role?)',
            ),
          );
        } else {
          resolve();
        }
      });
    });
    return this.subscribed;
  }

  /** A drop loses the replies still due (and, with a clean session, our subscription). */
  private readonly onClose = (): void => {
    this.subscribed = null;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(new DynsecDisconnectedError(pending.command));
    }
  };

  private readonly onMessage = (topic: string, payload: Buffer): void => {
    if (topic !== DYNSEC_RESPONSE_TOPIC) return;
    let responses: DynsecResponse[];
    try {
      const parsed = JSON.parse(payload.toString('utf8')) as { responses?: unknown };
      if (!Array.isArray(parsed.responses)) return;
      responses = parsed.responses as DynsecResponse[];
    } catch {
      return; // a malformed reply leaves its command to time out with a clear message
    }
    for (const response of responses) {
      if (typeof response.correlationData !== 'string') continue;
      const pending = this.pending.get(response.correlationData);
      if (!pending) continue; // another MosquittoDynsec on the same connection, or a late reply
      clearTimeout(pending.timer);
      this.pending.delete(response.correlationData);
      pending.resolve(response);
    }
  };
}
