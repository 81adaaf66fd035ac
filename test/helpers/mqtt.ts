import { connectAsync, type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';

export interface DeviceConnectOptions {
  username?: string;
  password?: string;
  clientId?: string;
  clean?: boolean;
  protocolVersion?: 3 | 4 | 5;
  /** Default 0: a test client does not reconnect behind the test's back. */
  reconnectPeriod?: number;
  properties?: IClientOptions['properties'];
}

/** Connects a real mqtt.js client and resolves once CONNACK accepted it; rejects on refusal. */
export async function connectClient(url: string, options: DeviceConnectOptions = {}): Promise<MqttClient> {
  const clientOptions: IClientOptions = {
    clientId: options.clientId ?? `test-${Math.random().toString(16).slice(2, 10)}`,
    clean: options.clean ?? true,
    protocolVersion: options.protocolVersion ?? 4,
    reconnectPeriod: options.reconnectPeriod ?? 0,
    connectTimeout: 5000,
  };
  if (options.username !== undefined) clientOptions.username = options.username;
  if (options.password !== undefined) clientOptions.password = options.password;
  if (options.properties) clientOptions.properties = options.properties;
  return connectAsync(url, clientOptions);
}

/** QoS 1 publish that resolves on PUBACK. */
export function publishQos1(client: MqttClient, topic: string, payload: string | Buffer, options: IClientPublishOptions = {}): Promise<unknown> {
  return client.publishAsync(topic, payload, { qos: 1, ...options });
}

/** Resolves when the client's connection closes (e.g. the broker dropped it). */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (client.disconnected || !client.connected) return resolve();
    client.once('close', () => resolve());
  });
}

/** Ends the client without waiting for in-flight messages. */
export async function endClient(client: MqttClient | null | undefined): Promise<void> {
  if (client) await client.endAsync(true).catch(() => undefined);
}

/** Polls `condition` every `everyMs` (10 ms) until true; fails with `message` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 5000, message = 'condition', everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
