import mqtt from 'mqtt';
import type { ConnectFn, DeviceMqttClient } from './simulated-device.js';

/** A real mqtt.js client behind the device's small client interface (MQTT 3.1.1, QoS 1). */
export const connectMqtt: ConnectFn = (url, options): DeviceMqttClient => {
  const client = mqtt.connect(url, {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    clean: options.clean,
    keepalive: options.keepalive,
    will: options.will,
    protocolVersion: 4,
    reconnectPeriod: 5000,
    connectTimeout: 15_000,
    // The device subscribes again itself on every connection.
    resubscribe: false,
  });
  return {
    onConnect: (handler) => void client.on('connect', () => handler()),
    onMessage: (handler) => void client.on('message', (topic, payload) => handler(topic, payload)),
    onClose: (handler) => void client.on('close', () => handler()),
    onError: (handler) => void client.on('error', (error) => handler(error as Error & { code?: number | string })),
    publish: async (topic, payload) => {
      await client.publishAsync(topic, payload, { qos: 1 });
    },
    subscribe: async (topic) => {
      await client.subscribeAsync(topic, { qos: 1 });
    },
    end: () => client.endAsync(false),
    drop: () => {
      // No DISCONNECT: the broker sees the socket vanish and publishes the last will.
      client.stream?.destroy();
      client.end(true);
    },
  };
};
