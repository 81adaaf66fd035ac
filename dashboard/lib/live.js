// @ts-check
import { ApiError, latestValues } from './api.js';

/** @typedef {{ device: string, quantity: string, value: number, tsMs: number }} LiveValue */
/** @typedef {'live' | 'reconnecting'} LiveState */

/** First reconnection delay, doubled up to the maximum while the stream keeps failing. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/**
 * The site and values of one event-stream block (WHATWG HTML §9.2: `event:` and `data:` fields up
 * to a blank line; `:` starts a comment). Only `latest` events carry values.
 * @param {string} block
 * @returns {{ site: string, values: LiveValue[] } | null}
 */
function eventOf(block) {
  const lines = block.split('\n');
  const name = lines.find((l) => l.startsWith('event:'))?.slice(6).trim() ?? 'message';
  if (name !== 'latest') return null;
  const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
  if (!data) return null;
  const body = JSON.parse(data);
  return { site: String(body?.site), values: latestValues(body) };
}

/**
 * Reads the stream with fetch rather than EventSource, so that a refusal (401, 404) is seen and
 * ends the subscription instead of EventSource's endless reconnection attempts.
 * @param {string} url
 * @param {AbortSignal} signal
 * @param {(site: string, values: LiveValue[]) => void} onValues
 * @param {() => void} onOpen
 */
async function readStream(url, signal, onValues, onOpen) {
  const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal });
  if (!res.ok || !res.body) {
    let problem = null;
    try {
      const body = await res.json();
      problem = body?.code ? { code: body.code, params: body.params ?? {} } : null;
    } catch {
      /* not an API error body */
    }
    throw new ApiError(res.status, url, `${res.status} ${res.statusText}`, problem);
  }
  onOpen();
  const reader = res.body.pipeThrough(new window.TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('live stream ended');
    buffer += value.replace(/\r\n?/g, '\n');
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const event = eventOf(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      // An empty first event says so: the site has no reading yet.
      if (event) onValues(event.site, event.values);
    }
  }
}

/**
 * Calls `onValues` with the values the server pushes: first every latest value of each site (its
 * snapshot), then each value as it is stored. A dropped stream is reopened (1 s, doubling to 30 s),
 * and its new snapshot covers the gap. A refusal (4xx) ends it and goes to `onError`. Returns a stop function.
 * @param {string} url
 * @param {(site: string, values: LiveValue[]) => void} onValues
 * @param {{ onState?: (state: LiveState) => void, onError?: (err: unknown) => void }} [handlers]
 * @returns {() => void}
 */
function subscribeStream(url, onValues, { onState = () => {}, onError = () => {} } = {}) {
  const controller = new window.AbortController();
  /** @type {number | null} */
  let timer = null;
  let delayMs = RETRY_FIRST_MS;
  const connect = () => {
    timer = null;
    readStream(url, controller.signal, onValues, () => {
      delayMs = RETRY_FIRST_MS;
      onState('live');
    }).catch((err) => {
      // 204: nothing to watch, and no reason to ask again (WHATWG HTML §9.2.3).
      if (controller.signal.aborted || (err instanceof ApiError && err.status === 204)) return;
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
        onError(err);
        return;
      }
      onState('reconnecting');
      timer = window.setTimeout(connect, delayMs);
      delayMs = Math.min(delayMs * 2, RETRY_MAX_MS);
    });
  };
  connect();
  return () => {
    controller.abort();
    if (timer !== null) window.clearTimeout(timer);
  };
}

/**
 * One site's live values (the site page).
 * @param {{ liveUrl: (siteId: string) => string }} api
 * @param {string} siteId
 * @param {(values: LiveValue[]) => void} onValues
 * @param {{ onState?: (state: LiveState) => void, onError?: (err: unknown) => void }} [handlers]
 * @returns {() => void}
 */
export function subscribeLive(api, siteId, onValues, handlers) {
  return subscribeStream(api.liveUrl(siteId), (_site, values) => onValues(values), handlers);
}

/**
 * The live values of every site the user may see, in ONE stream (the overview): a browser opens at
 * most 6 connections per host over HTTP/1.1, so a stream per card would stall the page.
 * @param {{ liveSitesUrl: () => string }} api
 * @param {(site: string, values: LiveValue[]) => void} onValues
 * @param {{ onState?: (state: LiveState) => void, onError?: (err: unknown) => void }} [handlers]
 * @returns {() => void}
 */
export function subscribeSites(api, onValues, handlers) {
  return subscribeStream(api.liveSitesUrl(), onValues, handlers);
}
