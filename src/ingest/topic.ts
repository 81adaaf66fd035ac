import { isQuantityName, type QuantityName } from '../config/quantities.js';

/**
 * The topic contract (README quotes it):
 *
 * - `sites/{site}/devices/{device}`: a JSON object (`{"ts": …, "energy_kwh": 18234.6, "power_w": 5120}`)
 *   or a SenML pack (RFC 8428 JSON array).
 * - `sites/{site}/devices/{device}/{quantity}`: a plain number, stamped with the receive time.
 *
 * Any other topic under `sites/` is rejected as `unknown-topic`. Parsing is a split, not a
 * regex: it runs once per message on the hot path.
 */
export type ParsedTopic =
  | { kind: 'device'; site: string; device: string }
  | { kind: 'quantity'; site: string; device: string; quantity: QuantityName }
  | { kind: 'unknown-quantity'; site: string; device: string; quantity: string }
  | { kind: 'unknown'; site?: string; device?: string };

/**
 * Parsed topics by topic string. Devices publish on a handful of topics each, so most messages
 * find theirs here instead of splitting the string again; results are shared, hence frozen.
 * Only well-formed, short topics are kept, at most MAX_PARSED_TOPICS of them (then it starts
 * over): a client sending long or ever-new topics (MQTT allows 65,535 bytes) cannot grow it.
 */
const parsedTopics = new Map<string, ParsedTopic>();
const MAX_PARSED_TOPICS = 10_000;
const MAX_CACHED_TOPIC_LENGTH = 200;

export function parseTopic(topic: string): ParsedTopic {
  const cached = parsedTopics.get(topic);
  if (cached !== undefined) return cached;
  const parsed = Object.freeze(splitTopic(topic));
  if (topic.length <= MAX_CACHED_TOPIC_LENGTH && (parsed.kind === 'device' || parsed.kind === 'quantity')) {
    if (parsedTopics.size >= MAX_PARSED_TOPICS) parsedTopics.clear();
    parsedTopics.set(topic, parsed);
  }
  return parsed;
}

function splitTopic(topic: string): ParsedTopic {
  const parts = topic.split('/');
  if (parts.length < 4 || parts.length > 5 || parts[0] !== 'sites' || parts[2] !== 'devices') return { kind: 'unknown' };
  const site = parts[1] as string;
  const device = parts[3] as string;
  if (site === '' || device === '') return { kind: 'unknown' };
  if (parts.length === 4) return { kind: 'device', site, device };
  const quantity = parts[4] as string;
  if (quantity === '') return { kind: 'unknown', site, device };
  if (isQuantityName(quantity)) return { kind: 'quantity', site, device, quantity };
  return { kind: 'unknown-quantity', site, device, quantity };
}

/** The topic subtree a device owns: `sites/{site}/devices/{device}`; it may publish there and below. */
export function deviceTopicBase(site: string, device: string): string {
  return `sites/${site}/devices/${device}`;
}

/** True when `topic` (or a subscription filter) is the device's base topic or lies below it. */
export function isWithinDeviceTree(topic: string, site: string, device: string): boolean {
  const base = deviceTopicBase(site, device);
  return topic === base || (topic.startsWith(base) && topic.charCodeAt(base.length) === 47 /* '/' */);
}
