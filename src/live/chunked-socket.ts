import type { Socket } from 'node:net';

/** The last chunk framed, kept for the next socket: a batch goes to each viewer of a site in turn, the same text. */
let lastText: string | null = null;
let lastFrame: Buffer = Buffer.alloc(0);

/**
 * A text as one chunk of the chunked transfer coding, encoded once for all the sockets that are
 * written it in a row: 200 viewers of a site cost one UTF-8 encoding of each batch, not 200.
 */
function framed(text: string): Buffer {
  if (text !== lastText) {
    const body = Buffer.from(text, 'utf8');
    lastFrame = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`, 'latin1'), body, CRLF]);
    lastText = text;
  }
  return lastFrame;
}

const CRLF = Buffer.from('\r\n', 'latin1');

/**
 * An HTTP/1.1 response body written straight on its socket in chunked transfer coding (RFC 9112
 * §7.1): what Node's ServerResponse does, for a stream whose socket came from another process
 * (src/live/fanout-worker.ts), with the Writable surface LiveViewer uses.
 */
export class ChunkedSocket {
  private ended = false;

  constructor(
    private readonly socket: Socket,
    /** Each congested viewer of the stream waits for one 'drain'. */
    maxDrainListeners: number,
  ) {
    socket.setMaxListeners(maxDrainListeners);
  }

  get writableEnded(): boolean {
    return this.ended || this.socket.writableEnded || this.socket.destroyed;
  }

  /** The status line and headers, as they are (they end with the blank line). */
  writeHead(head: string): boolean {
    return this.socket.write(head);
  }

  /** One chunk: its size in hex, the bytes, CRLF, in one write (one syscall when the socket is not congested). */
  write(text: string): boolean {
    if (this.writableEnded) return false;
    return this.socket.write(framed(text));
  }

  once(event: 'drain', listener: () => void): this {
    this.socket.once(event, listener);
    return this;
  }

  /** The last chunk, then the end of the socket's writing side. */
  end(): this {
    if (this.writableEnded) return this;
    this.ended = true;
    this.socket.end('0\r\n\r\n');
    return this;
  }
}
