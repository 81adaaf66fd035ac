// @ts-check
/**
 * The figures of one overview card, each from GET /api/overview as the server computed them
 * (no arithmetic here beyond formatting): today so far and against the baseline, the month to
 * date under the coverage rule, open alerts, silent devices. Each returns the nodes of its <dd>.
 */
import { h } from '../lib/dom.js';
import { problemsText } from '../lib/problems.js';

/** @typedef {import('../types/api').OverviewAnswer} OverviewAnswer */
/** @typedef {OverviewAnswer['sites'][number]} OverviewSite */
/** @typedef {import('../lib/i18n.js').I18n} I18n */

const UNIT = /** @type {Record<string, string>} */ ({ kWh: 'kWh', m3: 'm³' });

/** @param {I18n} i18n @param {string} text */
const notice = (i18n, text) => h('span', { class: 'notice', text });

/** Today per carrier, with the hours measured. @param {I18n} i18n @param {OverviewSite} s @returns {Node[]} */
export function todayNodes(i18n, s) {
  const t = s.today;
  if (!t) return [notice(i18n, i18n.t('overview.computing'))];
  if (t.elapsedHours === 0) return [notice(i18n, i18n.t('overview.todayFirstHour'))];
  const parts = t.carriers.filter((c) => c.value !== null).map((c) => `${i18n.t(`carrier.${c.carrier}`)} ${i18n.formatNumber(c.value, 0)} ${UNIT[c.unit] ?? c.unit}`);
  if (parts.length === 0) return [h('span', { 'data-testid': 'today', class: 'notice', text: i18n.t('overview.todayNone', { elapsed: t.elapsedHours }) })];
  const measured = Math.min(...t.carriers.filter((c) => c.value !== null).map((c) => c.measuredHours));
  return [
    h('span', { 'data-testid': 'today', text: parts.join(' · ') }),
    h('span', { class: 'ts', text: i18n.t('overview.todaySince', { until: i18n.formatTime(Date.parse(t.until), s.timezone), measured, elapsed: t.elapsedHours }) }),
  ];
}

/** Today's final energy against the hour-of-week profile. @param {I18n} i18n @param {OverviewSite} s @returns {Node[]} */
export function baselineNodes(i18n, s) {
  const b = s.today?.baseline;
  if (!b || b.status === 'computing') return [notice(i18n, i18n.t('overview.computing'))];
  if (b.status !== 'ok' || b.deviationPct === null) {
    // The line above already says no hour of today is measured: here, only that there is nothing to compare.
    const noHourYet = b.problems.length > 0 && b.problems.every((p) => p.code === 'no-measured-hour-today');
    const text = noHourYet ? i18n.t('overview.vsBaselineNothing') : problemsText(i18n, b.problems) || i18n.t('overview.noData');
    return [h('span', { class: 'notice', 'data-testid': 'today-baseline', 'data-status': b.status, text })];
  }
  const sign = b.deviationPct > 0 ? '+' : '';
  const text = i18n.t('overview.vsBaselineOk', {
    deviation: `${sign}${i18n.formatNumber(b.deviationPct, 0)}`,
    actual: i18n.formatNumber(b.actualKWh, 0), expected: i18n.formatNumber(b.expectedKWh, 0),
    low: i18n.formatNumber(b.lowKWh, 0), high: i18n.formatNumber(b.highKWh, 0), hours: b.comparedHours,
  });
  const band = b.withinBand ? h('span', { class: 'badge status-ok', text: i18n.t('overview.inBand') }) : h('span', { class: 'badge high', text: i18n.t('overview.outOfBand') });
  const out = [h('span', { 'data-testid': 'today-baseline', 'data-status': 'ok', text }), band];
  if (b.problems.length) out.push(h('span', { class: 'notice', text: problemsText(i18n, b.problems) }));
  return out;
}

/** Month to date in kWh/m², or how much is missing under the coverage rule. @param {I18n} i18n @param {OverviewSite} s @returns {Node[]} */
export function monthNodes(i18n, s) {
  const m = s.month;
  if (!m) return [notice(i18n, i18n.t('overview.computing'))];
  const c = m.coverage;
  if (m.kWhPerM2 === null || m.kWh === null) {
    // The coverage problem states the hours measured and needed; the count of missing hours is the fallback.
    const why = problemsText(i18n, m.problems) || (c.expectedHours > 0 ? i18n.t('overview.monthMissing', { missing: i18n.formatNumber(c.expectedHours - c.measuredHours, 0), expected: i18n.formatNumber(c.expectedHours, 0) }) : i18n.t('overview.noData'));
    return [h('span', { class: 'notice', 'data-testid': 'month', 'data-status': 'insufficient-data', text: why })];
  }
  const from = i18n.formatDay(Date.parse(`${m.from}T12:00:00Z`), 'UTC');
  return [h('span', { 'data-testid': 'month', 'data-status': 'ok', text: i18n.t('overview.monthOk', {
    kWhPerM2: i18n.formatNumber(m.kWhPerM2, 2), kWh: i18n.formatNumber(m.kWh, 0), from, measured: i18n.formatNumber(c.measuredHours, 0), expected: i18n.formatNumber(c.expectedHours, 0),
  }) })];
}

/** Open alerts by severity, linked to the alerts page filtered on the site. @param {I18n} i18n @param {OverviewSite} s @param {boolean} available @returns {Node[]} */
export function alertNodes(i18n, s, available) {
  if (!available) return [notice(i18n, i18n.t('overview.alertsUnavailable'))];
  const open = s.alerts.open;
  const total = open.critical + open.warning + open.info;
  const href = `#/alerts?state=open&site=${encodeURIComponent(s.site)}`;
  const out = [];
  if (total === 0) out.push(h('span', { 'data-testid': 'alerts', 'data-open': '0', text: i18n.t('overview.alertsNone') }));
  else {
    const detail = /** @type {const} */ (['critical', 'warning', 'info']).filter((k) => open[k] > 0).map((k) => `${open[k]} ${i18n.t(`overview.severity.${k}`)}`).join(', ');
    out.push(h('a', { href, 'data-testid': 'alerts', 'data-open': String(total), class: open.critical > 0 ? 'alert-link critical' : 'alert-link', text: i18n.t('overview.alertsOpen', { count: total, detail }) }));
  }
  if (s.alerts.acknowledged > 0) out.push(h('a', { href: `#/alerts?state=acknowledged&site=${encodeURIComponent(s.site)}`, class: 'ts', text: i18n.t('overview.alertsAcknowledged', { count: s.alerts.acknowledged }) }));
  return out;
}

/** Devices gone silent and never heard, linked to the site page's device list. @param {I18n} i18n @param {OverviewSite} s @param {number} staleAfterMs @returns {Node[]} */
export function deviceNodes(i18n, s, staleAfterMs) {
  const d = s.devices;
  if (!d) return [notice(i18n, i18n.t('overview.computing'))];
  const minutes = Math.round(staleAfterMs / 60_000);
  if (d.total === 0) return [notice(i18n, i18n.t('overview.devicesNone'))];
  if (d.silent.length === 0 && d.neverReported.length === 0) return [h('span', { 'data-testid': 'devices', 'data-silent': '0', text: i18n.t('overview.devicesOk', { total: d.total, minutes }) })];
  const href = `#/site/${encodeURIComponent(s.site)}`;
  const out = [];
  if (d.silent.length) {
    const list = d.silent.map((x) => i18n.t('overview.lastSeen', { name: x.name ?? x.device, time: i18n.formatDateTime(Date.parse(x.lastReading), s.timezone) })).join(', ');
    out.push(h('a', { href, class: 'devices-silent', 'data-testid': 'devices', 'data-silent': String(d.silent.length), text: i18n.t('overview.devicesSilent', { count: d.silent.length, minutes, list }) }));
  }
  if (d.neverReported.length) {
    out.push(h('a', { href, class: 'devices-never', 'data-testid': 'devices-never', 'data-never': String(d.neverReported.length), text: i18n.t('overview.devicesNever', { count: d.neverReported.length, list: d.neverReported.map((x) => x.name ?? x.device).join(', ') }) }));
  }
  return out;
}
