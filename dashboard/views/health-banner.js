// @ts-check
import { h, clear } from '../lib/dom.js';
import { checkShape } from '../lib/contract.js';

export const HEALTH_INTERVAL_MS = 15_000;
/** Warn before the spool is full: past half its size an outage is lasting. */
const SPOOL_WARN_RATIO = 0.5;

/**
 * Problems a site manager must know about, from GET /api/health. Sections used:
 * `store.ok`, `broker.connected`, `writePath.{storeUp, acknowledging, spoolBytes, spoolMaxBytes, spoolReadings}`.
 */
/** @typedef {{ key: string, severity: 'bad' | 'warn', vars?: { ratio: number, readings: number } }} HealthProblem */

/** @param {unknown} body @returns {HealthProblem[]} */
export function healthProblems(body) {
  /** @type {HealthProblem[]} */
  const problems = [];
  // The logged-in answer: checkShape throws on the anonymous up/down one (no writePath), which the banner never asks for.
  const { writePath: write, store, broker } = checkShape('health', /** @type {Extract<import('../types/api').HealthAnswer, { writePath: unknown }>} */ (body));
  if (!store.ok || !write.storeUp) problems.push({ key: 'health.storeDown', severity: 'bad' });
  if (!broker.connected) problems.push({ key: 'health.brokerDown', severity: 'bad' });
  if (!write.acknowledging) problems.push({ key: 'health.notAcknowledging', severity: 'bad' });
  else if (write.spoolMaxBytes > 0 && write.spoolBytes / write.spoolMaxBytes >= SPOOL_WARN_RATIO) {
    problems.push({ key: 'health.spoolFilling', severity: 'warn', vars: { ratio: write.spoolBytes / write.spoolMaxBytes, readings: write.spoolReadings } });
  }
  return problems;
}

/** @param {HTMLElement} el @param {{ i18n: import('../lib/i18n.js').I18n }} ctx @returns {() => void} */
export function startHealthBanner(el, ctx) {
  const { i18n } = ctx;
  /** @type {HealthProblem[]} */
  let problems = [];
  let stopped = false;
  const render = () => {
    clear(el);
    el.hidden = problems.length === 0;
    el.className = `health-banner${problems.every((p) => p.severity === 'warn') ? ' warn' : ''}`;
    if (problems.length === 0) return;
    el.append(
      h('span', { text: i18n.t('health.title') }),
      h('ul', {}, problems.map((p) => h('li', {
        text: i18n.t(p.key, p.vars && {
          percent: i18n.formatNumber(p.vars.ratio * 100, 0),
          readings: i18n.formatNumber(p.vars.readings, 0),
        }),
      }))),
    );
  };
  let lastShown = '';
  const refresh = async () => {
    try {
      // A 503 from /api/health still carries the detail: read its body.
      const res = await fetch('/api/health', { headers: { accept: 'application/json' } });
      problems = healthProblems(await res.json());
    } catch {
      problems = [{ key: 'health.unreachable', severity: 'bad' }];
    }
    // Re-render only on change: the banner is a live region, re-announced at every render.
    const now = JSON.stringify(problems);
    if (!stopped && now !== lastShown) {
      lastShown = now;
      render();
    }
  };
  refresh();
  const timer = setInterval(refresh, HEALTH_INTERVAL_MS);
  const off = i18n.onChange(render);
  return () => {
    stopped = true;
    clearInterval(timer);
    off();
  };
}
