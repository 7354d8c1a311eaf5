import type { MqttClient } from 'mqtt';
import { TOPIC_ROOT } from '../../../devices/src/protocol.js';
import { DynsecConnection, DynsecDisconnectedError, DynsecError, type DynsecCommand, type DynsecResponse } from './mosquitto-dynsec-connection.js';

/**
 * Mirrors device credentials into Mosquitto's dynamic security plugin ("dynsec").
 *
 * In production the broker, not tonari, authenticates devices and enforces topic ACLs, so
 * every device tonari provisions, rotates or revokes has to be reflected in the broker.
 * Dynsec is driven over MQTT itself: JSON commands are published to
 * `$CONTROL/dynamic-security/v1` and the plugin answers on `.../response`, only to the
 * client that sent them. We correlate replies through the `correlationData` field that
 * the plugin echoes back, so several commands (and callers) can be in flight on one
 * connection.
 *
 * The connection must belong to a dynsec client with the `admin` role that
 * `mosquitto_ctrl dynsec init` creates: that role may use `$CONTROL/dynamic-security/#`
 * and subscribe to everything, but may not publish to ordinary topics, hence
 * ensureServerAccess().
 *
 * Mosquitto behaviour this code is built around (checked against Mosquitto 2.0.11):
 * - Changing a client's roles (addClientRole), password, or deleting/disabling it
 *   disconnects every live connection with that username (DISCONNECT 0x98,
 *   "administrative action"), so the new rights apply at once. When the username is our
 *   own (ensureServerAccess, or another tonari instance doing it at the same time), our
 *   connection drops, often before the reply arrives.
 * - A duplicate addClientRole answers a bare "Internal error", so we read before we add.
 * - Error texts ("Client not found", "Role already exists", ...) are matched loosely,
 *   case-insensitively, because they are not a versioned contract.
 *
 * Hence the design: every public operation is idempotent (it reads, then changes only
 * what differs), and a connection drop while it runs makes it wait for the MQTT client's
 * own reconnect and run again from the start. Commands go out at QoS 0 on purpose: a
 * QoS 1 command whose PUBACK was lost in a drop is re-sent by mqtt.js on reconnect and
 * executed a second time, behind our back; for setClientPassword on our own user that
 * even loops (each execution disconnects us again).
 */

export { DYNSEC_COMMAND_TOPIC, DYNSEC_RESPONSE_TOPIC, DynsecDisconnectedError, DynsecError } from './mosquitto-dynsec-connection.js';

/** The role that lets the tonari server itself read uplinks and send downlinks. */
export const SERVER_ROLE = 'tonari-server';

/** One role per device: its topics contain its association id, which %u-style patterns cannot express. */
export function deviceRoleName(deviceId: string): string {
  return `tonari-device-${deviceId}`;
}

export interface DynsecAcl {
  acltype:
    | 'publishClientSend'
    | 'publishClientReceive'
    | 'subscribeLiteral'
    | 'subscribePattern'
    | 'unsubscribeLiteral'
    | 'unsubscribePattern';
  topic: string;
  allow: boolean;
}


interface DynsecClientInfo {
  username: string;
  clientid?: string;
  disabled?: boolean;
  roles?: Array<{ rolename?: string }>;
}


/** How often an operation is run again after a connection drop before giving up. */
const MAX_ATTEMPTS = 4;

const alreadyExists = (error: unknown) => error instanceof DynsecError && /already exists/i.test(error.dynsecError);
const notFound = (error: unknown) => error instanceof DynsecError && /not found/i.test(error.dynsecError);

/**
 * ACLs of the server role. The subscribe ACLs are checked against the filter as the
 * client sends it, so the plain filter and its `$share/{group}/` form are both listed
 * (the group is configurable, hence `+` in its place).
 */
export function serverAcls(): DynsecAcl[] {
  const uplinks = `${TOPIC_ROOT}/+/+/up/#`;
  const downlinks = `${TOPIC_ROOT}/+/+/down/#`;
  return [
    { acltype: 'subscribePattern', topic: uplinks, allow: true },
    { acltype: 'subscribePattern', topic: `$share/+/${uplinks}`, allow: true },
    { acltype: 'unsubscribePattern', topic: uplinks, allow: true },
    { acltype: 'unsubscribePattern', topic: `$share/+/${uplinks}`, allow: true },
    { acltype: 'publishClientReceive', topic: uplinks, allow: true },
    { acltype: 'publishClientSend', topic: downlinks, allow: true },
  ];
}

/** ACLs of one device: publish under its own up/, subscribe to (and receive) its own down/, nothing else. */
export function deviceAcls(associationId: string, deviceId: string): DynsecAcl[] {
  const prefix = `${TOPIC_ROOT}/${associationId}/${deviceId}`;
  return [
    { acltype: 'publishClientSend', topic: `${prefix}/up/#`, allow: true },
    { acltype: 'subscribePattern', topic: `${prefix}/down/#`, allow: true },
    { acltype: 'unsubscribePattern', topic: `${prefix}/down/#`, allow: true },
    { acltype: 'publishClientReceive', topic: `${prefix}/down/#`, allow: true },
  ];
}

/** Ids end up inside topic ACLs, so anything that is not one plain topic level would widen or break them. */
function assertTopicLevel(name: string, value: string): void {
  if (value === '' || /[/+#\u0000]/.test(value) || value.startsWith('$')) {
    throw new Error(`${name} must be a single MQTT topic level without wildcards, got ${JSON.stringify(value)}`);
  }
}

const aclKey = (acl: { acltype?: unknown; topic?: unknown; allow?: unknown }) =>
  `${String(acl.acltype)}\u0000${String(acl.topic)}\u0000${acl.allow === true}`;

function sameAcls(current: unknown, wanted: DynsecAcl[]): boolean {
  if (!Array.isArray(current)) return false;
  const a = current.map((acl) => aclKey(acl as DynsecAcl)).sort();
  const b = wanted.map(aclKey).sort();
  return a.length === b.length && a.every((key, i) => key === b[i]);
}

export class MosquittoDynsec {
  private readonly connection: DynsecConnection;

  constructor(client: MqttClient, options: { timeoutMs?: number } = {}) {
    this.connection = new DynsecConnection(client, options.timeoutMs ?? 5000);
  }

  /**
   * Makes sure the connected admin client may subscribe to tonari/+/+/up/# (incl. $share)
   * and publish to tonari/+/+/down/#: creates role 'tonari-server' with those ACLs and adds it
   * to the client's own username. Idempotent, and quiet when nothing needs to change.
   *
   * Call it before subscribing to uplinks. When it does have to change the admin's roles,
   * Mosquitto disconnects this very connection; the call then waits for the MQTT client to
   * reconnect by itself (reconnectPeriod > 0) and checks the result.
   */
  async ensureServerAccess(serverUsername: string): Promise<void> {
    await this.idempotent('ensureServerAccess', async () => {
      await this.putRole(SERVER_ROLE, serverAcls(), 'tonari server: reads device uplinks, sends downlinks');
      if (hasRole(await this.getClient(serverUsername), SERVER_ROLE)) return;
      try {
        await this.command({ command: 'addClientRole', username: serverUsername, rolename: SERVER_ROLE });
      } catch (error) {
        // Another instance may have added it a moment ago (a duplicate answers "Internal
        // error" in 2.0): the read-back below decides. A drop goes to idempotent().
        if (!(error instanceof DynsecError)) throw error;
      }
      // Usually not reached on the first attempt: Mosquitto drops us to apply the role, the
      // read fails with DynsecDisconnectedError, and the next attempt returns above.
      if (!hasRole(await this.getClient(serverUsername), SERVER_ROLE)) {
        throw new Error(`Mosquitto did not add role ${SERVER_ROLE} to ${serverUsername}`);
      }
    });
  }

  /**
   * Creates or updates the device's dynsec client with this password and its own role.
   * Calling it again sets the password anew (rotation; Mosquitto drops the device's live
   * connection, so it must reconnect with the new one), re-points the ACLs if the
   * association changed, and re-enables a disabled client.
   */
  async upsertDevice(device: { id: string; associationId: string; password: string }): Promise<void> {
    assertTopicLevel('device id', device.id);
    assertTopicLevel('association id', device.associationId);
    if (device.password === '') throw new Error('device password must not be empty');
    const rolename = deviceRoleName(device.id);
    await this.idempotent('upsertDevice', async () => {
      await this.putRole(rolename, deviceAcls(device.associationId, device.id), `tonari device ${device.id}`);
      try {
        await this.command({
          command: 'createClient',
          username: device.id,
          // Binds the login to this client id: Mosquitto refuses this username with any
          // other, so no device can connect under another's client id and take over
          // (disconnect) its session.
          clientid: device.id,
          password: device.password,
          textname: `tonari device ${device.id}`,
          roles: [{ rolename }],
        });
        return;
      } catch (error) {
        if (!alreadyExists(error)) throw error;
      }
      // The client exists (an earlier provisioning, or an attempt cut short): bring it to
      // the wanted state step by step.
      await this.command({ command: 'setClientPassword', username: device.id, password: device.password });
      const client = await this.getClient(device.id);
      if (client.clientid !== device.id) await this.command({ command: 'setClientId', username: device.id, clientid: device.id });
      if (!hasRole(client, rolename)) await this.command({ command: 'addClientRole', username: device.id, rolename });
      if (client.disabled) await this.command({ command: 'enableClient', username: device.id });
    });
  }

  /**
   * Deletes the device's client and role. Deleting the client also disconnects any live
   * session that uses it, so a revoked device is cut off at once, not at its next reconnect.
   * Revoking an unknown device is not an error: the wanted end state already holds.
   */
  async revokeDevice(deviceId: string): Promise<void> {
    await this.idempotent('revokeDevice', async () => {
      try {
        await this.command({ command: 'deleteClient', username: deviceId });
      } catch (error) {
        if (!notFound(error)) throw error;
      }
      try {
        await this.command({ command: 'deleteRole', rolename: deviceRoleName(deviceId) });
      } catch (error) {
        if (!notFound(error)) throw error;
      }
    });
  }

  /** Stops listening and fails whatever is still waiting; the MQTT client itself stays open. */
  dispose(): void {
    this.connection.dispose();
  }

  private async getClient(username: string): Promise<DynsecClientInfo> {
    const reply = await this.command({ command: 'getClient', username });
    const client = (reply.data as { client?: DynsecClientInfo } | undefined)?.client;
    if (!client) throw new Error(`Mosquitto dynamic-security getClient ${username}: reply without client data`);
    return client;
  }

  /**
   * Creates the role, or resets its ACLs when they differ. Reading first keeps repeated
   * calls (every server start, every re-provisioning) from touching the broker's state:
   * newer Mosquitto versions disconnect every holder of a role when it is modified.
   */
  private async putRole(rolename: string, acls: DynsecAcl[], textname: string): Promise<void> {
    let current: { acls?: unknown } | undefined;
    try {
      const reply = await this.command({ command: 'getRole', rolename });
      current = (reply.data as { role?: { acls?: unknown } } | undefined)?.role ?? {};
    } catch (error) {
      if (!notFound(error)) throw error;
    }
    if (!current) {
      try {
        await this.command({ command: 'createRole', rolename, textname, acls });
        return;
      } catch (error) {
        if (!alreadyExists(error)) throw error; // created concurrently: fall through and compare again
        const reply = await this.command({ command: 'getRole', rolename });
        current = (reply.data as { role?: { acls?: unknown } } | undefined)?.role ?? {};
      }
    }
    if (sameAcls(current.acls, acls)) return;
    // modifyRole replaces the whole ACL list, which is exactly the reset we want.
    await this.command({ command: 'modifyRole', rolename, textname, acls });
  }

  /** Runs an idempotent operation, again after each connection drop, up to MAX_ATTEMPTS times. */
  private async idempotent(operation: string, run: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await run();
        return;
      } catch (error) {
        if (!(error instanceof DynsecDisconnectedError) || attempt >= MAX_ATTEMPTS) throw error;
        await this.waitForReconnect(operation);
      }
    }
  }

  private waitForReconnect(after: string): Promise<void> {
    return this.connection.waitForReconnect(after);
  }

  private command(command: DynsecCommand): Promise<DynsecResponse> {
    return this.connection.command(command);
  }
}

function hasRole(client: DynsecClientInfo, rolename: string): boolean {
  return client.roles?.some((role) => role.rolename === rolename) ?? false;
}
