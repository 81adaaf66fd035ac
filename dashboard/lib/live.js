import { latestValues } from './api.js';

export const POLL_INTERVAL_MS = 5000;

/** Set once the server has shown it has no live stream, so later pages go straight to polling. */
let streamUnavailable = false;

function parseEvent(raw) {
  const data = raw.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
  if (!data) return [];
  try {
    const body = JSON.parse(data);
    return latestValues(body);
  } catch {
    return [];
  }
}

/**
 * Reads the Server-Sent Events stream (WHATWG HTML §9.2 event-stream format) with
 * fetch rather than EventSource, so that a missing endpoint (404) is seen once and
 * answered by polling, instead of EventSource's endless reconnection attempts.
 */
async function readStream(url, signal, onValues) {
  const res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal });
  if (!res.ok || !(res.headers.get('content-type') ?? '').includes('text/event-stream') || !res.body) {
    if (res.status === 404 || res.ok) streamUnavailable = true;
    throw new Error(`no live stream (${res.status})`);
  }
  const reader = res.body.pipeThrough(new window.TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('live stream ended');
    buffer += value.replace(/\r\n?/g, '\n');
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const values = parseEvent(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      if (values.length > 0) onValues(values);
    }
  }
}

/**
 * Calls `onValues(latestValues)` whenever new readings arrive: from the live stream
 * when the server has one, else by polling /latest every 5 s. Returns a stop function.
 */
export function subscribeLive(api, siteId, onValues, { preferStream = true } = {}) {
  const controller = new window.AbortController();
  let timer = null;
  const poll = async () => {
    try {
      onValues(await api.latest(siteId, controller.signal));
    } catch (err) {
      if (controller.signal.aborted) return;
      console.warn('live polling failed', err);
    }
  };
  const startPolling = () => {
    if (controller.signal.aborted || timer !== null) return;
    timer = setInterval(poll, POLL_INTERVAL_MS);
  };
  if (preferStream && !streamUnavailable) {
    readStream(api.liveUrl(siteId), controller.signal, onValues).catch(() => startPolling());
  } else startPolling();
  return () => {
    controller.abort();
    if (timer !== null) clearInterval(timer);
  };
}
