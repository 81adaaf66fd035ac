// @ts-check
import { ApiError, latestValues } from './api.js';

/** @typedef {{ device: string, quantity: string, value: number, tsMs: number }} LiveValue */
/** @typedef {'live' | 'reconnecting'} LiveState */

/** First reconnection delay, doubled up to the maximum while the stream keeps failing. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;
/** Only /latest polled on the overview (one stream per card would exceed HTTP/1.1's 6 connections per host). */
export const POLL_INTERVAL_MS = 5_000;

/**
 * The values of one event-stream block (WHATWG HTML §9.2: `event:` and `data:` fields up to a
 * blank line; `:` starts a comment). Only `latest` events carry values.
 * @param {string} block
 * @returns {LiveValue[]}
 */
function valuesOf(block) {
  const lines = block.split('\n');
  const name = lines.find((l) => l.startsWith('event:'))?.slice(6).trim() ?? 'message';
  if (name !== 'latest') return [];
  const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
  return data ? latestValues(JSON.parse(data)) : [];
}

/**
 * Reads the stream with fetch rather than EventSource, so that a refusal (401, 404) is seen and
 * ends the subscription instead of EventSource's endless reconnection attempts.
 * @param {string} url
 * @param {AbortSignal} signal
 * @param {(values: LiveValue[]) => void} onValues
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
      const values = valuesOf(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      if (values.length > 0) onValues(values);
    }
  }
}

/**
 * Calls `onValues` with the values the server pushes: first every latest value of the site (the
 * snapshot), then each value as it is stored. A dropped stream is reopened (1 s, doubling to 30 s),
 * and its new snapshot covers the gap. A refusal (4xx) ends it and goes to `onError`. Returns a stop function.
 * @param {{ liveUrl: (siteId: string) => string }} api
 * @param {string} siteId
 * @param {(values: LiveValue[]) => void} onValues
 * @param {{ onState?: (state: LiveState) => void, onError?: (err: unknown) => void }} [handlers]
 * @returns {() => void}
 */
export function subscribeLive(api, siteId, onValues, { onState = () => {}, onError = () => {} } = {}) {
  const controller = new window.AbortController();
  /** @type {number | null} */
  let timer = null;
  let delayMs = RETRY_FIRST_MS;
  const connect = () => {
    timer = null;
    readStream(api.liveUrl(siteId), controller.signal, onValues, () => {
      delayMs = RETRY_FIRST_MS;
      onState('live');
    }).catch((err) => {
      if (controller.signal.aborted) return;
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
 * The overview's cards: /latest every 5 s per site (see POLL_INTERVAL_MS for why not a stream).
 * @param {{ latest: (siteId: string, signal?: AbortSignal) => Promise<LiveValue[]> }} api
 * @param {string} siteId
 * @param {(values: LiveValue[]) => void} onValues
 * @returns {() => void}
 */
export function pollLatest(api, siteId, onValues) {
  const controller = new window.AbortController();
  const poll = async () => {
    try {
      onValues(await api.latest(siteId, controller.signal));
    } catch (err) {
      if (!controller.signal.aborted) console.warn('latest values polling failed', err);
    }
  };
  const timer = setInterval(poll, POLL_INTERVAL_MS);
  return () => {
    controller.abort();
    clearInterval(timer);
  };
}
