import type { SiteConfig } from '../config/schema.js';
import { latestView } from '../api/latest-view.js';
import type { LiveValue } from './live-batch.js';

/** EventSource's reconnection delay (the `retry:` field, WHATWG HTML §9.2.6). */
export const RETRY_MS = 2_000;

/** The first bytes of every live stream's body. */
export const STREAM_PREAMBLE = `retry: ${RETRY_MS}\n\n`;

/** The live streams' own response headers (besides those the app's hooks set, e.g. the security headers). */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // nginx buffers proxied answers unless told not to (nginx.org, ngx_http_proxy_module, X-Accel-Buffering).
  'x-accel-buffering': 'no',
};

/** A site's `latest` event: the values in the shape of GET /api/sites/{site}/latest, with the site's id. */
export function latestEncoder(site: SiteConfig): (values: readonly LiveValue[]) => string {
  return (values) => `event: latest\ndata: ${JSON.stringify({ site: site.id, values: latestView(site, values) })}\n\n`;
}
