import { request, type ClientRequest, type IncomingMessage } from 'node:http';

export interface SseEvent {
  event: string;
  data: unknown;
  /** performance.now() when the event's last line arrived. */
  atMs: number;
}

export interface SseStream {
  readonly res: IncomingMessage;
  /** Parsed events so far (comments are not events; `comments` counts them). */
  readonly events: SseEvent[];
  comments(): number;
  /** Resolves with the first event (already received or to come) that `match` accepts; rejects after `timeoutMs`. */
  next(match: (e: SseEvent) => boolean, timeoutMs: number, what: string): Promise<SseEvent>;
  close(): void;
}

/**
 * A real HTTP client of a text/event-stream (WHATWG HTML §9.2 event-stream format: fields up to a
 * blank line; `:` starts a comment), kept minimal: `event:` and one `data:` line per event.
 */
export function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    let comments = 0;
    const waiters = new Set<() => void>();
    const req: ClientRequest = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (block.startsWith(':')) comments += 1;
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data), atMs: performance.now() });
        }
        for (const wake of [...waiters]) wake();
      });
      res.on('error', () => undefined);
      resolve({
        res,
        events,
        comments: () => comments,
        next: (match, timeoutMs, what) =>
          new Promise((ok, fail) => {
            const check = () => {
              const found = events.find(match);
              if (!found) return;
              clearTimeout(timer);
              waiters.delete(check);
              ok(found);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no SSE event ${what} within ${timeoutMs} ms (got ${JSON.stringify(events.map((e) => e.event))})`));
            }, timeoutMs);
            waiters.add(check);
            check();
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
