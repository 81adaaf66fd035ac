/**
 * Where device messages come from: the embedded broker, or an external broker we subscribe to.
 *
 * The handler resolves once the message's readings are durable (or once the message was
 * rejected for good: a bad payload is not retried), and rejects when they could not be made
 * durable. A source acknowledges a QoS 1 message (PUBACK) only after the handler resolved,
 * and never acknowledges one whose handler rejected, so that the broker or device delivers it
 * again (MQTT 3.1.1 §4.3.2 / MQTT 5 §4.3.2: the message is "owned" by the receiver only once
 * PUBACK is sent).
 */
export type MessageHandler = (topic: string, payload: Buffer) => Promise<void>;

export interface SourceStatus {
  connected: boolean;
  /** Listening address, or broker URL without credentials. */
  endpoint: string;
}

export interface MessageSource {
  readonly mode: 'embedded' | 'external';
  start(handler: MessageHandler): Promise<void>;
  /** Safe to call twice. */
  stop(): Promise<void>;
  status(): SourceStatus;
}
