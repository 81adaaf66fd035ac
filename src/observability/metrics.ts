import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric the service exports on /metrics. One registry per service
 * instance (not prom-client's global), so that tests can run several instances.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const prefix = 'sbe_';
  return {
    registry,
    messagesReceived: new Counter({ name: `${prefix}ingest_messages_received_total`, help: 'MQTT messages received on device topics', registers: [registry] }),
    readingsAccepted: new Counter({ name: `${prefix}ingest_readings_accepted_total`, help: 'Readings that passed validation', registers: [registry] }),
    readingsRejected: new Counter({
      name: `${prefix}ingest_rejections_total`,
      help: 'Rejected messages or pack entries, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    readingsStored: new Counter({ name: `${prefix}store_readings_written_total`, help: 'Readings durably written to the store', registers: [registry] }),
    storeWriteSeconds: new Histogram({
      name: `${prefix}store_write_seconds`,
      help: 'Latency of one batch write to the store',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    storeBatchSize: new Histogram({
      name: `${prefix}store_batch_readings`,
      help: 'Readings per batch write',
      buckets: [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000],
      registers: [registry],
    }),
    storeUp: new Gauge({ name: `${prefix}store_up`, help: '1 when the store answers writes', registers: [registry] }),
    spoolReadings: new Gauge({ name: `${prefix}spool_readings`, help: 'Readings waiting in the on-disk spool', registers: [registry] }),
    spoolBytes: new Gauge({ name: `${prefix}spool_bytes`, help: 'Bytes in the on-disk spool', registers: [registry] }),
    pendingReadings: new Gauge({ name: `${prefix}write_pending_readings`, help: 'Readings accepted but not yet durable', registers: [registry] }),
    spoolReplayedReadings: new Counter({ name: `${prefix}spool_replayed_readings_total`, help: 'Spooled readings written to the store (replay progress)', registers: [registry] }),
    spoolAcknowledging: new Gauge({ name: `${prefix}spool_acknowledging`, help: '0 when the spool is full (SPOOL_MAX_MB) and messages are left unacknowledged', registers: [registry] }),
    deviceOnline: new Gauge({
      name: `${prefix}device_online`,
      help: '1 online, 0 offline, from the availability / LWT topic of devices with a profile (labels bounded by the configuration)',
      labelNames: ['site', 'device'] as const,
      registers: [registry],
    }),
    deadLetters: new Counter({ name: `${prefix}store_dead_letters_total`, help: 'Readings the store refused for good, appended to dead-letter.jsonl', registers: [registry] }),
    mailOutboxDepth: new Gauge({ name: `${prefix}mail_outbox_depth`, help: 'Alert e-mails in the outbox not yet accepted by the SMTP server', registers: [registry] }),
    mailSent: new Counter({ name: `${prefix}mail_sent_total`, help: 'Alert e-mails accepted by the SMTP server', registers: [registry] }),
    mailFailedAttempts: new Counter({ name: `${prefix}mail_failed_attempts_total`, help: 'Attempts to send an alert e-mail that the SMTP server did not accept (each is retried)', registers: [registry] }),
    mailRateLimited: new Counter({ name: `${prefix}mail_rate_limited_total`, help: 'Times a due e-mail waited because its recipient reached the hourly limit', registers: [registry] }),
    liveStreams: new Gauge({ name: `${prefix}live_streams`, help: 'Open live streams (SSE), by the process that writes to them: fanout-process or http-process', labelNames: ['served_by'] as const, registers: [registry] }),
    liveFanoutUp: new Gauge({ name: `${prefix}live_fanout_up`, help: '1 while the live fan-out process takes streams (LIVE_FANOUT=process); 0 while it is started again', registers: [registry] }),
    liveFanoutRestarts: new Counter({ name: `${prefix}live_fanout_restarts_total`, help: 'Times the live fan-out process died and was started again', registers: [registry] }),
    mailAtMaxBackoff: new Gauge({ name: `${prefix}mail_at_max_backoff`, help: 'Outbox e-mails that failed so often they are retried at the longest interval', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
