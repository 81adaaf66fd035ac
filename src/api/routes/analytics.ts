import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { kpiValue, type KpiKey } from '../../energy/analytics-service.js';
import { rankSites } from '../../energy/ranking.js';
import { MIN_MEASURED_SHARE } from '../../energy/coverage.js';
import { degreeDays, sumDegreeDays } from '../../energy/degree-days.js';
import { monthlyComparison } from '../../energy/monthly-comparison.js';
import { decretAnswer, flatKpis, num, problems, whyMissing } from '../analytics-answers.js';
import { AnalyticsCache } from '../analytics-cache.js';
import type { AnalyticsGate } from '../analytics-gate.js';
import { baselineResponse, compareResponse, correctionsResponse, degreeDaysResponse, kpisResponse } from '../analytics-schemas.js';
import { atPrecision, PRECISION, toCsv, type CsvCell, type CsvColumn } from '../csv.js';
import type { AppDeps } from '../deps.js';
import { parsePeriod } from '../period-request.js';
import { problemOf } from '../problems.js';
import { analyticsErrorResponses, siteParams } from '../schemas.js';
import { findSite } from '../site-catalog.js';
import { visibleSites } from '../site-scope.js';

type Energy = NonNullable<AppDeps['energy']>;

const date = z.string().max(10, 'must be a date YYYY-MM-DD').describe('Local date YYYY-MM-DD, included');
const format = z.enum(['json', 'csv']).optional().describe('csv: the table as a CSV download');
const periodQuery = z.strictObject({ from: date.optional(), to: date.optional(), format });
const RANK_KEYS = ['kWhPerM2', 'climateCorrectedKWhPerM2', 'deviationPct', 'outOfHoursShare', 'baseloadKW'] as const satisfies readonly KpiKey[];
const compareQuery = periodQuery.extend({ rankBy: z.enum(RANK_KEYS).optional().describe('KPI the sites are ranked on, lowest first (default kWhPerM2)') });
const degreeDayQuery = periodQuery.extend({
  method: z.enum(['meteo', 'costic']).optional().describe('méthode météo (default) or COSTIC (Décret tertiaire)'),
  baseC: z
    .string()
    .max(6)
    .regex(/^-?\d{1,2}(\.\d)?$/, 'must be a temperature in °C such as 18 or 16.5')
    .transform(Number)
    .optional()
    .describe('Base temperature, °C (default: the configuration, 18)'),
});

// The 200 schema is the JSON answer; a CSV body (format=csv, text/csv) is sent as text, not serialized.
const responses = <T extends z.ZodType>(json: T) => ({ 200: json, ...analyticsErrorResponses });

/** Decimals of each KPI in the key/value CSV (csv.ts PRECISION). */
const KPI_DECIMALS: Record<string, number> = {
  measuredSharePct: PRECISION.pct, finalEnergyKWh: PRECISION.kWh, kWhPerM2: PRECISION.kWhPerM2, climateCorrectedKWhPerM2: PRECISION.kWhPerM2,
  climateCorrectedKWh: PRECISION.kWh, electricityKWh: PRECISION.kWh, gasM3: PRECISION.m3, heatKWh: PRECISION.kWh, waterM3: PRECISION.m3,
  deviationKWh: PRECISION.kWh, deviationPct: PRECISION.pct, baselineMonthlyCvRmsePct: PRECISION.pct, baselineMonthlyNmbePct: PRECISION.pct,
  baseloadKW: PRECISION.kW, outOfHoursSharePct: PRECISION.pct, hddC: PRECISION.dju, cddC: PRECISION.dju,
};

function sendCsv(reply: FastifyReply, name: string, columns: readonly (string | CsvColumn)[], rows: CsvCell[][]) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(toCsv(columns, rows));
}

/**
 * Analytics routes (issue 4, issue 13): comparison of sites, and per site the baseline, KPIs,
 * degree days and counter corrections, each as JSON or CSV. Periods are local dates of the site,
 * both included. A figure without enough data behind it is null, with the problems saying why.
 */
export const analyticsRoutes: FastifyPluginAsyncZod<{ deps: AppDeps; energy: Energy; gate: AnalyticsGate }> = async (app, { deps, energy, gate }) => {
  const cache = new AnalyticsCache(deps.analyticsCacheMs ?? 60_000, deps.now, gate);
  /** The configured site (404 otherwise) and the period asked for, in its local dates. */
  const sitePeriod = (siteId: string, query: { from?: string | undefined; to?: string | undefined }) => {
    const site = findSite(deps.config, siteId);
    return { site, period: parsePeriod(query, deps.now(), site.timezone) };
  };
  const defaultZone = deps.config.sites[0]?.timezone ?? 'Europe/Paris';
  // Baselines fitted and the default period read in the background from the start, so the first
  // comparison finds them, then refreshed ahead of their expiry, so that a comparison after an idle
  // quarter of an hour does not read every site-year again (issue 13, point 6). The current
  // month's spans expire after 60 s: refreshed from 30 s of age, checked every 15 s.
  const warmUp = new AbortController();
  let refresher: NodeJS.Timeout | null = null;
  if (deps.analyticsWarmUp !== false) {
    app.addHook('onReady', async () => {
      const period = parsePeriod({}, deps.now(), defaultZone);
      void energy.warmUp(warmUp.signal, [period]).then(() => {
        if (warmUp.signal.aborted) return;
        let running = false;
        refresher = setInterval(() => {
          if (running) return;
          running = true;
          energy
            .refreshAhead(warmUp.signal)
            .catch((err: unknown) => app.log.warn({ err }, 'analytics refresh failed'))
            .finally(() => (running = false));
        }, deps.analyticsRefreshMs ?? 15_000);
        refresher.unref();
      });
    });
  }
  app.addHook('onClose', async () => {
    warmUp.abort();
    if (refresher) clearInterval(refresher);
  });

  app.get(
    '/api/compare',
    { schema: { summary: 'Every site on normalised KPIs, ranked (lowest first)', tags: ['analytics'], querystring: compareQuery, response: responses(compareResponse) } },
    async (request, reply) => {
      const period = parsePeriod(request.query, deps.now(), defaultZone);
      const rankBy = request.query.rankBy ?? 'kWhPerM2';
      // Single-flight per period (issue 11 point 4, issue 13 point 6): a burst of requests for the same
      // period, whoever asks and whatever the rank key, shares one computation; ranking is cheap.
      const result = await cache.get(`compare|${period.from}|${period.to}`, () => energy.compare(period));
      const ranking = rankBy === 'kWhPerM2' ? result.ranking : rankSites(result.kpis, (k) => kpiValue(k, rankBy), 'asc');
      const byId = new Map(result.kpis.map((k) => [k.site, k]));
      // Ranked among the sites the caller may see (issue 11): the others are absent, ranks renumbered.
      const visible = visibleSites(request, deps.config);
      const shown = ranking.filter((r) => visible.has(r.site));
      const sites = shown.map((r) => {
        const k = byId.get(r.site)!;
        const site = findSite(deps.config, r.site);
        return {
          site: r.site,
          name: site.name,
          usage: site.usage,
          floorAreaM2: site.floorAreaM2,
          rank: r.rank === null ? null : shown.filter((x) => x.rank !== null && x.rank < r.rank!).length + 1,
          status: k.status,
          coverage: k.coverage,
          ...flatKpis(k),
          ...whyMissing(k),
          baselineAccepted: 'accepted' in k.baseline ? k.baseline.accepted : null,
          decretTertiaire: decretAnswer(k.decret),
        };
      });
      if (request.query.format === 'csv') {
        const { kWh, kWhPerM2, pct, kW } = PRECISION;
        const columns: CsvColumn[] = [
          { name: 'rank' }, { name: 'site' }, { name: 'name' }, { name: 'usage' }, { name: 'floorAreaM2' }, { name: 'status' }, { name: 'measuredSharePct', decimals: pct },
          { name: 'finalEnergyKWh', decimals: kWh }, { name: 'kWhPerM2', decimals: kWhPerM2 }, { name: 'climateCorrectedKWhPerM2', decimals: kWhPerM2 },
          { name: 'deviationPct', decimals: pct }, { name: 'baseloadKW', decimals: kW }, { name: 'outOfHoursSharePct', decimals: pct },
          { name: 'decretReductionAchievedPct', decimals: pct }, { name: 'decretStatus' },
        ];
        const rows = sites.map((s) => [
          s.rank, s.site, s.name, s.usage, s.floorAreaM2, s.status, s.measuredSharePct, s.finalEnergyKWh, s.kWhPerM2, s.climateCorrectedKWhPerM2,
          s.deviationPct, s.baseloadKW, s.outOfHoursSharePct, s.decretTertiaire?.reductionAchievedPct, s.decretTertiaire?.status,
        ]);
        return sendCsv(reply, `comparison_${period.from}_${period.to}`, columns, rows);
      }
      return { from: period.from, to: period.to, rankBy, sites };
    },
  );

  app.get(
    '/api/sites/:site/kpis',
    { schema: { summary: 'KPIs of a site over a period', tags: ['analytics'], params: siteParams, querystring: periodQuery, response: responses(kpisResponse) } },
    async (request, reply) => {
      const { site, period } = sitePeriod(request.params.site, request.query);
      const k = await cache.get(`kpis|${site.id}|${period.from}|${period.to}`, () => energy.kpis(site.id, period));
      const kpis = flatKpis(k);
      if (request.query.format === 'csv') {
        const rows = Object.entries(kpis).map(([key, v]) => [key, atPrecision(v, KPI_DECIMALS[key] ?? PRECISION.kWh)]);
        return sendCsv(reply, `kpis_${site.id}_${period.from}_${period.to}`, ['kpi', 'value'], rows);
      }
      const c = 'kWh' in k.climateCorrected ? k.climateCorrected : null;
      return {
        site: site.id,
        from: period.from,
        to: period.to,
        status: k.status,
        coverage: k.coverage,
        kpis,
        ...whyMissing(k),
        decretTertiaire: decretAnswer(k.decret),
        climateCorrection: c ? { kWh: c.kWh, kWhPerM2: c.kWhPerM2, heatingKWh: c.heatingKWh, actualDju: c.actualDju, referenceDju: c.referenceDju, reference: c.reference } : null,
        cusum: k.cusum,
        calendarSource: k.calendar.source,
        nonWorkingCandidates: k.calendar.nonWorkingCandidates?.candidates ?? null,
        correctionCount: k.corrections.length,
      };
    },
  );

  app.get(
    '/api/sites/:site/baseline',
    { schema: { summary: 'Baseline of a site: model, ASHRAE G14 fit, actual vs expected per day', tags: ['analytics'], params: siteParams, querystring: periodQuery, response: responses(baselineResponse) } },
    async (request, reply) => {
      const { site, period } = sitePeriod(request.params.site, request.query);
      const { baseline, days } = await cache.get(`baseline|${site.id}|${period.from}|${period.to}`, () => energy.baselineDays(site.id, period));
      if (request.query.format === 'csv') {
        const rows = days.map((d) => [d.date, d.dayType, d.actualKWh, d.expectedKWh, d.actualKWh !== null && d.expectedKWh !== null ? d.actualKWh - d.expectedKWh : null, d.tMeanC]);
        const { kWh, celsius } = PRECISION;
        const columns = [{ name: 'date' }, { name: 'dayType' }, { name: 'actualKWh', decimals: kWh }, { name: 'expectedKWh', decimals: kWh }, { name: 'deviationKWh', decimals: kWh }, { name: 'tMeanC', decimals: celsius }];
        return sendCsv(reply, `baseline_${site.id}_${period.from}_${period.to}`, columns, rows);
      }
      const fit = baseline.result.ok ? baseline.result.baseline : null;
      const metrics = (m: { n: number; p: number; cvRmsePct: number; nmbePct: number; r2: number }) => ({ n: m.n, p: m.p, cvRmsePct: num(m.cvRmsePct), nmbePct: num(m.nmbePct), r2: num(m.r2) });
      const segment = (m: NonNullable<typeof fit>['working']) => ({ ...m, heatingBalanceC: num(m.heatingBalanceC), coolingBalanceC: num(m.coolingBalanceC), r2: num(m.r2), adjR2: num(m.adjR2) });
      return {
        site: site.id,
        from: period.from,
        to: period.to,
        referencePeriod: baseline.period,
        fitted: fit !== null,
        accepted: fit?.accepted ?? false,
        problems: baseline.result.ok ? [] : problems(baseline.result.problems),
        model: fit ? { segmentation: fit.segmentation, working: segment(fit.working), nonWorking: segment(fit.nonWorking), parameters: fit.parameters, daysUsed: fit.daysUsed } : null,
        fitQuality: fit ? { criteria: 'ASHRAE Guideline 14: monthly CV(RMSE) <= 15 %, |NMBE| <= 5 %', daily: metrics(fit.daily), monthly: metrics(fit.monthly) } : null,
        days,
        months: monthlyComparison(days),
        hourOfWeekProfile: baseline.profile()?.map((p) => ({ slot: p.slot, median: num(p.median), p10: num(p.p10), p90: num(p.p90), count: p.count })) ?? null,
      };
    },
  );

  app.get(
    '/api/sites/:site/degree-days',
    { schema: { summary: 'Outdoor temperatures and degree days (DJU) per local day', tags: ['analytics'], params: siteParams, querystring: degreeDayQuery, response: responses(degreeDaysResponse) } },
    async (request, reply) => {
      const { site, period } = sitePeriod(request.params.site, request.query);
      const method = request.query.method ?? 'meteo';
      const baseC = request.query.baseC ?? deps.config.degreeDays.baseC;
      const temps = await cache.get(`temps|${site.id}|${period.from}|${period.to}`, () => energy.temperatures(site.id, period));
      const daily = temps?.daily ?? [];
      const dd = degreeDays(daily, { baseC, method });
      const days = daily.map((t, i) => ({
        date: t.date,
        hours: t.hours,
        tMinC: num(t.tMinC),
        tMaxC: num(t.tMaxC),
        tMeanC: num(t.tMeanC),
        hddC: dd[i]!.hddC,
        cddC: dd[i]!.cddC,
        sufficient: t.sufficient,
        ...(t.reason ? { reason: t.reason } : {}),
      }));
      if (request.query.format === 'csv') {
        const rows = days.map((d) => [d.date, d.hours, d.tMinC, d.tMaxC, d.tMeanC, d.hddC, d.cddC]);
        const { celsius, dju } = PRECISION;
        const columns = [{ name: 'date' }, { name: 'hours' }, { name: 'tMinC', decimals: celsius }, { name: 'tMaxC', decimals: celsius }, { name: 'tMeanC', decimals: celsius }, { name: 'hddC', decimals: dju }, { name: 'cddC', decimals: dju }];
        return sendCsv(reply, `degree-days_${site.id}_${period.from}_${period.to}`, columns, rows);
      }
      // Totals over too few days would read as a mild period: null below the coverage rule, with the reason.
      const sum = temps ? sumDegreeDays(dd) : null;
      const requiredDays = Math.ceil(MIN_MEASURED_SHARE * days.length);
      const enough = sum !== null && sum.daysUsed >= requiredDays;
      return {
        site: site.id,
        from: period.from,
        to: period.to,
        method,
        baseC,
        temperatureSource: site.outdoorTemperature ?? null,
        problems: !temps
          ? [problemOf('no-temperature-source', { site: site.id })]
          : enough
            ? []
            : [problemOf('insufficient-temperature-days', { daysWithTemperature: sum?.daysUsed ?? 0, periodDays: days.length, requiredDays })],
        totalHddC: enough ? num(sum.hddC) : null,
        totalCddC: enough ? num(sum.cddC) : null,
        daysUsed: sum?.daysUsed ?? 0,
        daysOmitted: sum?.daysOmitted ?? [],
        days,
      };
    },
  );

  app.get(
    '/api/sites/:site/corrections',
    { schema: { summary: 'Counter corrections: resets, backward steps, spikes, estimated gaps', tags: ['analytics'], params: siteParams, querystring: periodQuery, response: responses(correctionsResponse) } },
    async (request, reply) => {
      const { site, period } = sitePeriod(request.params.site, request.query);
      const consumption = await cache.get(`consumption|${site.id}|${period.from}|${period.to}`, () => energy.consumption(site.id, period));
      const corrections = consumption.corrections.map((c) => ({
        device: c.device,
        quantity: c.quantity,
        at: new Date(c.atMs).toISOString(),
        kind: c.kind,
        detail: c.detail,
        valueBefore: num(c.valueBefore),
        valueAfter: num(c.valueAfter),
      }));
      if (request.query.format === 'csv') {
        const rows = corrections.map((c) => [c.at, c.device, c.quantity, c.kind, c.valueBefore, c.valueAfter, c.detail]);
        const columns = [{ name: 'at' }, { name: 'device' }, { name: 'quantity' }, { name: 'kind' }, { name: 'valueBefore', decimals: PRECISION.kWh }, { name: 'valueAfter', decimals: PRECISION.kWh }, { name: 'detail' }];
        return sendCsv(reply, `corrections_${site.id}_${period.from}_${period.to}`, columns, rows);
      }
      return { site: site.id, from: period.from, to: period.to, corrections };
    },
  );
};
