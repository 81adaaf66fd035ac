import type { MqttClient } from 'mqtt';

/**
 * One electricity meter publishing at a steady rate at QoS 1, on a fixed schedule (not back to
 * back), with its index rising: the device whose PUBACK latencies the SSE and compare-load
 * benchmarks compare across phases (each PUBACK comes once the message is durable).
 */
export class SteadyMeter {
  private energyKWh = 10_000;

  constructor(
    private readonly client: MqttClient,
    private readonly topic: string,
    private readonly ratePerS: number,
  ) {}

  /** Publishes for `seconds` and returns each PUBACK's latency, ms. */
  async publishFor(seconds: number): Promise<number[]> {
    return (await this.acksFor(seconds)).map((a) => a.latencyMs);
  }

  /** Publishes for `seconds` and returns, per message, when it was sent (epoch ms) and its PUBACK's latency (ms). */
  async acksFor(seconds: number): Promise<Array<{ sentMs: number; latencyMs: number }>> {
    const latencies: Array<{ sentMs: number; latencyMs: number }> = [];
    const total = Math.round(seconds * this.ratePerS);
    const periodMs = 1000 / this.ratePerS;
    const t0 = performance.now();
    const acks: Promise<void>[] = [];
    for (let i = 0; i < total; i += 1) {
      const wait = t0 + i * periodMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.energyKWh += 0.01;
      const sent = performance.now();
      const sentMs = Date.now();
      const body = JSON.stringify({ ts: Date.now(), energy_kwh: Number(this.energyKWh.toFixed(3)), power_w: 4000 + (i % 1000) });
      acks.push(new Promise((resolve, reject) => this.client.publish(this.topic, body, { qos: 1 }, (err) => {
        if (err) reject(err);
        else {
          latencies.push({ sentMs, latencyMs: performance.now() - sent });
          resolve();
        }
      })));
    }
    await Promise.all(acks);
    return latencies;
  }
}
