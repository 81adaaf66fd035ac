/**
 * The clients of the compare-load benchmark, in their own process so that their HTTP and JSON work
 * does not share the event loop that times the PUBACKs: one loop per session cookie, each asking
 * /api/compare back to back, for a period drawn from `year` (seeded) or for one same period; prints
 * `ready`, starts on SIGUSR2, and prints a JSON summary on SIGTERM.
 */
const { url, cookies, mode, seed, sites, year } = JSON.parse(process.argv[2]!) as { url: string; cookies: string[]; mode: 'varied' | 'same'; seed: number; sites: number; year: number };

let state = seed;
/** mulberry32: a seeded PRNG, so that two runs ask for the same periods. */
function random(): number {
  state = (state + 0x6d2b79f5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const DAY_MS = 86_400_000;
const yearStartMs = Date.UTC(year, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** A period inside the year of 7 to 366 days. */
function variedPeriod(): string {
  const days = 7 + Math.floor(random() * 360);
  const start = Math.floor(random() * (366 - days + 1));
  return `from=${iso(yearStartMs + start * DAY_MS)}&to=${iso(yearStartMs + (start + days - 1) * DAY_MS)}`;
}
const same = variedPeriod();

const answeredMs: number[] = [];
const periods = new Set<string>();
let limited = 0;
let stop = false;
const failures: string[] = [];

async function loop(cookie: string): Promise<void> {
  while (!stop) {
    const period = mode === 'same' ? same : variedPeriod();
    const t0 = performance.now();
    const res = await fetch(`${url}/api/compare?${period}`, { headers: { cookie } });
    const body = await res.text();
    if (res.status === 429 || res.status === 503) {
      limited += 1;
      // Both answers say when to come back: a client that honours them waits.
      await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
      continue;
    }
    if (res.status !== 200) {
      failures.push(`${period}: HTTP ${res.status} ${body.slice(0, 200)}`);
      return;
    }
    const ranked = (JSON.parse(body) as { sites: unknown[] }).sites.length;
    if (ranked !== sites) {
      failures.push(`${period}: ${ranked} sites answered, expected ${sites}`);
      return;
    }
    answeredMs.push(performance.now() - t0);
    periods.add(period);
  }
}

let loops: Promise<void>[] = [];
process.on('SIGUSR2', () => (loops = cookies.map(loop)));
process.on('SIGTERM', () => {
  stop = true;
  void Promise.all(loops).then(() => {
    console.log(JSON.stringify({ answeredMs, periods: periods.size, limited, failures }));
    process.exit(0);
  });
});
// Signal handlers alone do not keep a process alive while it waits for SIGUSR2.
const keepAlive = setInterval(() => undefined, 60_000);
void keepAlive;
console.log('ready');
