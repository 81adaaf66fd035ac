import type { Logger } from './observability/logger.js';

/**
 * A long-lived part of the service (zigbee2mqtt's extensions): the composition root starts the
 * list in order and stops it in reverse. The constructor only assigns fields.
 */
export interface ServicePart {
  readonly name: string;
  start(): Promise<void>;
  /** Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts parts in order; when one fails, stops those already started (in reverse) and rethrows. */
export class PartList {
  private readonly started: ServicePart[] = [];

  constructor(private readonly logger: Logger) {}

  async start(part: ServicePart): Promise<void> {
    await part.start();
    this.started.push(part);
  }

  /** Adds something already running (the HTTP server, built then listened) so that it is stopped too. */
  adopt(part: ServicePart): void {
    this.started.push(part);
  }

  async stopAll(): Promise<void> {
    while (this.started.length > 0) {
      const part = this.started.pop()!;
      try {
        await part.stop();
      } catch (err) {
        this.logger.error({ err, part: part.name }, 'error while stopping');
      }
    }
  }
}
