/** Longest topic or filter accepted, in UTF-8 bytes (issue 11; the contract's own are under 100). */
export const MAX_TOPIC_BYTES = 256;

/**
 * Levels of the deepest topic of the native contract, `sites/{site}/devices/{device}/{quantity}`
 * (topic.ts). Profile topics are checked against the profile router instead.
 */
export const NATIVE_TOPIC_LEVELS = 5;

/**
 * Levels any topic or filter may have on the embedded broker: room for profile topics such as
 * zigbee2mqtt friendly names with slashes (`zigbee2mqtt/floor1/room2/plug/availability`).
 */
export const MAX_TOPIC_LEVELS = 12;

/** True when `topic` is at most MAX_TOPIC_BYTES in UTF-8 (a UTF-16 unit is at most 3 bytes). */
export function topicWithinBytes(topic: string): boolean {
  return topic.length * 3 <= MAX_TOPIC_BYTES || Buffer.byteLength(topic, 'utf8') <= MAX_TOPIC_BYTES;
}

/** Number of levels of a topic (`a/b/c` has 3). */
export function topicLevels(topic: string): number {
  let levels = 1;
  for (let i = topic.indexOf('/'); i !== -1; i = topic.indexOf('/', i + 1)) levels += 1;
  return levels;
}

/**
 * The session key of a client on the embedded broker: its username and its own client id.
 * Mosquitto's `use_username_as_clientid` replaces the id; keeping both lets one device keep
 * several sessions, while another username can never name (and so take over) them. Usernames
 * cannot contain ':' (mosquitto-files.ts refuses them), so the pair is unambiguous.
 */
export function sessionClientId(username: string, clientId: string): string {
  return `${username}:${clientId}`;
}
