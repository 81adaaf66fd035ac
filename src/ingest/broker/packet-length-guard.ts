/**
 * Reads the MQTT fixed headers of one connection's byte stream as it arrives, and says when a
 * packet announces a Remaining Length above the limit, BEFORE its body is buffered.
 *
 * Why: the packet parser (mqtt-packet, inside aedes) keeps every byte of a packet until the
 * packet is complete. Issue 11 measured six unauthenticated connections announcing 256 MB
 * PUBLISHes (and sending 200 MB of each) making the service hold 1.4 GB. Aedes 1.2 has no
 * maximum packet size, so this scanner sits in front of its parser.
 *
 * Fixed header (MQTT 3.1.1 §2.2): one byte of type and flags, then the Remaining Length as a
 * variable byte integer of at most four bytes, 7 bits each, least significant first (§2.2.3);
 * a fifth continuation byte is malformed. Only header bytes are looked at: a body is skipped by
 * arithmetic, so the cost per chunk is a few operations per packet, not per byte.
 */
export class PacketLengthGuard {
  /** Body bytes of the current packet still to come. */
  private bodyLeft = 0;
  /** 0 while the next byte is a packet's first byte; then the number of length bytes read. */
  private lengthBytes = -1;
  private length = 0;
  private multiplier = 1;
  private violation: string | null = null;

  constructor(readonly maxRemainingLength: number) {}

  /** Why the stream was refused, or null. */
  get refusal(): string | null {
    return this.violation;
  }

  /** False once a packet is too long or malformed; the connection must then be closed. */
  feed(chunk: Uint8Array): boolean {
    if (this.violation) return false;
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, n - i);
        this.bodyLeft -= take;
        i += take;
        continue;
      }
      if (this.lengthBytes < 0) {
        // The type/flags byte; its content is the parser's business.
        i += 1;
        this.lengthBytes = 0;
        this.length = 0;
        this.multiplier = 1;
        continue;
      }
      const byte = chunk[i++] as number;
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes += 1;
      // A partial sum is a lower bound of the final length: refuse as soon as it is exceeded.
      if (this.length > this.maxRemainingLength) {
        this.violation = `packet of ${this.length}+ bytes announced (limit ${this.maxRemainingLength})`;
        return false;
      }
      if ((byte & 0x80) === 0) {
        this.bodyLeft = this.length;
        this.lengthBytes = -1;
      } else if (this.lengthBytes === 4) {
        this.violation = 'malformed Remaining Length (more than four bytes, MQTT 3.1.1 §2.2.3)';
        return false;
      }
    }
    return true;
  }
}
