import { z } from 'zod';
import { downlinkKinds, downlinkSchemas, topics, uplinkSchemas } from '../../../devices/src/protocol.js';

/** AsyncAPI 3.0 for the device protocol, generated from the zod schemas in devices/src/protocol.ts. */
export function buildAsyncApiDocument(info: { version: string; mqttUrl: string }) {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const [kind, schema] of Object.entries(uplinkSchemas)) {
    messages[kind] = { name: kind, contentType: 'application/json', payload: z.toJSONSchema(schema, { io: 'input' }) };
    channels[`up_${kind}`] = {
      address: topics.uplink('{associationId}', '{deviceId}', kind as keyof typeof uplinkSchemas),
      parameters: { associationId: {}, deviceId: { description: 'The device id, which is also its MQTT username' } },
      messages: { [kind]: { $ref: `#/components/messages/${kind}` } },
    };
    operations[`send_${kind}`] = {
      action: 'send',
      channel: { $ref: `#/channels/up_${kind}` },
      summary: kind === 'status' ? 'Online on connect; offline as the last will' : 'Every minute while powered',
    };
  }
  for (const kind of downlinkKinds) {
    messages[`down_${kind}`] = { name: kind, contentType: 'application/json', payload: z.toJSONSchema(downlinkSchemas[kind], { io: 'input' }) };
    channels[`down_${kind}`] = {
      address: topics.downlink('{associationId}', '{deviceId}', kind),
      parameters: { associationId: {}, deviceId: {} },
      messages: { [kind]: { $ref: `#/components/messages/down_${kind}` } },
    };
    operations[`receive_${kind}`] = { action: 'receive', channel: { $ref: `#/channels/down_${kind}` } };
  }
  const url = new URL(info.mqttUrl);
  return {
    asyncapi: '3.0.0',
    info: { title: 'tonari device protocol', version: info.version, description: 'MQTT between tonari and speaker devices. QoS 1 everywhere.' },
    servers: { broker: { host: url.host, protocol: url.protocol.replace(':', ''), security: [{ type: 'userPassword' }] } },
    channels,
    operations,
    components: { messages },
  };
}
