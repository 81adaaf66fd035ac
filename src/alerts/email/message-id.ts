import { createHash } from 'node:crypto';

/**
 * Message-IDs (RFC 5322 §3.6.4: msg-id = "<" id-left "@" id-right ">"). They are derived from
 * what the mail is about, never from the time of sending, so the same mail enqueued twice (a
 * retried transaction, a restart) is one outbox row (the store is idempotent on it) and a
 * receiver that sees a retry can recognise it. The right-hand side is the host of PUBLIC_URL,
 * which the service can claim as its own domain (RFC 5322 asks for global uniqueness).
 */

/** A short, stable token of an address: the address itself must not appear in headers of other people's mails. */
export function addressToken(address: string): string {
  return createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 16);
}

export function messageIdHost(publicUrl: string): string {
  return new URL(publicUrl).hostname || 'localhost';
}

/**
 * One per (alert, episode, transition, recipient). `episode` is the alert's flapCount: an alert
 * that re-opens within its cool-down is the same alert id, and its new opening is a new mail.
 */
export function alertMessageId(alertId: number, episode: number, transition: 'opened' | 'resolved', recipient: string, host: string): string {
  const ep = episode > 0 ? `.${episode}` : '';
  return `<alert-${alertId}${ep}-${transition}-${addressToken(recipient)}@${host}>`;
}

/** The resolved mail replies to the opened one, so mail clients thread them (RFC 5322 §3.6.4 In-Reply-To). */
export function threadParentOf(messageId: string): string | null {
  const m = /^<(alert-\d+(?:\.\d+)?)-resolved-([0-9a-f]+@.+)>$/.exec(messageId);
  return m ? `<${m[1]}-opened-${m[2]}>` : null;
}

/** One grouped mail per batch of silent-device alerts: named by the smallest alert id of the batch and a hash of all of them. */
export function silentDevicesMessageId(site: string, alertIds: readonly number[], transition: 'opened' | 'resolved', recipient: string, host: string): string {
  const ids = [...alertIds].sort((a, b) => a - b);
  const batch = createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 12);
  return `<silent-${site}-${ids[0]}-${batch}-${transition}-${addressToken(recipient)}@${host}>`;
}

/** One digest per recipient and local day covered (a restart that reruns the digest enqueues nothing new). */
export function digestMessageId(date: string, timezone: string, recipient: string, host: string): string {
  const zone = createHash('sha256').update(timezone).digest('hex').slice(0, 8);
  return `<digest-${date}-${zone}-${addressToken(recipient)}@${host}>`;
}
