import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { KpiKey } from '../../energy/analytics-service.js';
import { degreeDays, sumDegreeDays } from '../../energy/degree-days.js';
import type { SiteKpis } from '../../energy/site-kpis.js';
import { AnalyticsCache } from '../analytics-cache.js';
import { toCsv, type CsvCell } from '../csv.js';
import type { AppDeps } from '../deps.js';
import { parsePeriod } from '../period-request.js';
import { errorResponses, siteParams } from '../schemas.js';
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

// Shapes are documented in the README; a CSV body (format=csv) is text, not JSON.
const analyticsResponses = { 200: z.unknown(), ...errorResponses } as const;

const num = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

function sendCsv(reply: FastifyReply, name: string, columns: string[], rows: CsvCell[][]) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(toCsv(columns, rows));
}

/** The Décret tertiaire position in the shape the comparison shows. */
function decretSummary(k: SiteKpis) {
  const d = k.decret;
  if (!d || 'unavailable' in d) return null;
  // Reference consumption over the same share of a year as the period (targetKWh is prorated the same way).
  const referenceForPeriod = d.targetKWh / (1 - d.reductionTargetPct / 100);
  const reductionAchievedPct = referenceForPeriod > 0 ? (1 - d.actualKWh / referenceForPeriod) * 100 : null;
  return {
    referenceYear: d.referenceYear,
    referenceKWh: d.referenceKWh,
    targetKWh: d.targetKWh,
    reductionTargetPct: d.reductionTargetPct,
    reductionAchievedPct,
    progressPct: reductionAchievedPct,
    gapKWh: d.gapKWh,
    status: d.status,
    prorated: d.prorated,
    milestones: d.milestones,
  };
}

/** The scalar KPIs of a site (what a table row or the dashboard's key/value list shows). */
function flatKpis(k: SiteKpis) {
  const corrected = 'kWhPerM2' in k.climateCorrected ? k.climateCorrected : null;
  const baseline = 'accepted' in k.baseline ? k.baseline : null;
  const measured = k.measuredShare > 0;
  return {
    measuredSharePct: num(k.measuredShare * 100),
    finalEnergyKWh: measured ? num(k.finalEnergyKWh) : null,
    kWhPerM2: measured ? num(k.kWhPerM2) : null,
    climateCorrectedKWhPerM2: num(corrected?.kWhPerM2),
    climateCorrectedKWh: num(corrected?.kWh),
    electricityKWh: num(k.consumption.electricity?.total),
    gasM3: num(k.consumption.gas?.total),
    heatKWh: num(k.consumption.heat?.total),
    waterM3: num(k.consumption.water?.total),
    deviationKWh: num(k.deviation?.deviationKWh),
    deviationPct: num(k.deviation?.deviationPct),
    baselineMonthlyCvRmsePct: num(baseline?.monthlyCvRmsePct),
    baselineMonthlyNmbePct: num(baseline?.monthlyNmbePct),
    baseloadKW: num(k.load?.baseloadKW),
    outOfHoursSharePct: k.load ? num(k.load.outOfHoursShare * 100) : null,
    hddC: num(k.dju?.hddC),
    cddC: num(k.dju?.cddC),
  };
}

/**
 * Analytics routes (issue 4): comparison of sites, and per site the baseline, KPIs, degree days
 * and counter corrections, each as JSON or CSV. Periods are local dates of the site, both included.
 */
export const analyticsRoutes: FastifyPluginAsyncZod<{ deps: AppDeps; energy: Energy }> = async (app, { deps, energy }) => {
  const cache = new AnalyticsCache(deps.analyticsCacheMs ?? 60_000, deps.now);
  /** The configured site (404 otherwise) and the period asked for, in its local dates. */
  const sitePeriod = (siteId: string, query: { from?: string | undefined; to?: string | undefined }) => {
    const site = findSite(deps.config, siteId);
    return { site, period: parsePeriod(query, deps.now(), site.timezone) };
  };
  const defaultZone = deps.config.sites[0]?.timezone ?? 'Europe/Paris';

  app.get(
    '/api/compare',
    { schema: { summary: 'Every site on normalised KPIs, ranked (lowest first)', tags: ['analytics'], querystring: compareQuery, response: analyticsResponses } },
    async (request, reply) => {
      const period = parsePeriod(request.query, deps.now(), defaultZone);
      const rankBy = request.query.rankBy ?? 'kWhPerM2';
      const result = await cache.get(`compare|${period.from}|${period.to}|${rankBy}`, () => energy.compare(period, rankBy));
      const byId = new Map(result.kpis.map((k) => [k.site, k]));
      // Ranked among the sites the caller may see (issue 11): the others are absent, ranks renumbered.
      const visible = visibleSites(request, deps.config);
      const shown = result.ranking.filter((r) => visible.has(r.site));
      const sites = shown.map((r) => {
        const k = byId.get(r.site)!;
        const site = findSite(deps.config, r.site);
        const flat = flatKpis(k);
        return {
          site: r.site,
          name: site.name,
          usage: site.usage,
          floorAreaM2: site.floorAreaM2,
          rank: r.rank === null ? null : shown.filter((x) => x.rank !== null && x.rank < r.rank!).length + 1,
          energyKWh: flat.finalEnergyKWh,
          ...flat,
          baselineAccepted: 'accepted' in k.baseline ? k.baseline.accepted : null,
          decretTertiaire: decretSummary(k),
        };
      });
      if (request.query.format === 'csv') {
        const columns = ['rank', 'site', 'name', 'usage', 'floorAreaM2', 'finalEnergyKWh', 'kWhPerM2', 'climateCorrectedKWhPerM2', 'deviationPct', 'baseloadKW', 'outOfHoursSharePct', 'decretReductionAchievedPct', 'decretStatus'];
        const rows = sites.map((s) => [s.rank, s.site, s.name, s.usage, s.floorAreaM2, s.finalEnergyKWh, s.kWhPerM2, s.climateCorrectedKWhPerM2, s.deviationPct, s.baseloadKW, s.outOfHoursSharePct, s.decretTertiaire?.reductionAchievedPct, s.decretTertiaire?.status]);
        return sendCsv(reply, `comparison_${period.from}_${period.to}`, columns, rows);
      }
      return { from: period.from, to: period.to, rankBy, sites };
    },
  );

  app.get(
    '/api/sites/:site/kpis',
    { schema: { summary: 'KPIs of a site over a period', tags: ['analytics'], params: siteParams, querystring: periodQuery, response: analyticsResponses } },
    async (request, reply) => {
      const { site, period } = sitePeriod(request.params.site, request.query);
      const k = await cache.get(`kpis|${site.id}|${period.from}|${period.to}`, () => energy.kpis(site.id, period));
      const kpis = flatKpis(k);
      if (request.query.format === 'csv') {
        return sendCsv(reply, `kpis_${site.id}_${period.from}_${period.to}`, ['kpi', 'value'], Object.entries(kpis).map(([key, v]) => [key, v]));
      }
      const { corrections, ...details } = k;
      return { site: site.id, from: period.from, to: period.to, kpis, decretTertiaire: decretSummary(k), correctionCount: corrections.length, details };
    },
  );

  app.get(
    '/api/sites/:site/baseline',
    { schema: { summary: 'Baseline of a site: model, ASHRAE G14 fit, actual vs expected per day', tags: ['analytics'], params: siteParams, querystring: periodQuery, response: analyticsResponses } },
    async (request, reply) => {
      const { site, period } = sitePeriod(request.params.site, request.query);
      const { baseline, days } = await cache.get(`baseline|${site.id}|${period.from}|${period.to}`, () => energy.baselineDays(site.id, period));
      if (request.query.format === 'csv') {
        const rows = days.map((d) => [d.date, d.dayType, d.actualKWh, d.expectedKWh, d.actualKWh !== null && d.expectedKWh !== null ? d.actualKWh - d.expectedKWh : null, d.tMeanC]);
        return sendCsv(reply, `baseline_${site.id}_${period.from}_${period.to}`, ['date', 'dayType', 'actualKWh', 'expectedKWh', 'deviationKWh', 'tMeanC'], rows);
      }
      const fit = baseline.result.ok ? baseline.result.baseline : null;
      return {
        site: site.id,
        from: period.from,
        to: period.to,
        referencePeriod: baseline.period,
        fitted: fit !== null,
        accepted: fit?.accepted ?? false,
        problems: baseline.result.ok ? [] : baseline.result.problems,
        model: fit ? { segmentation: fit.segmentation, working: fit.working, nonWorking: fit.nonWorking, parameters: fit.parameters, daysUsed: fit.daysUsed } : null,
        fitQuality: fit ? { criteria: 'ASHRAE Guideline 14: monthly CV(RMSE) <= 15 %, |NMBE| <= 5 %', daily: fit.daily, monthly: fit.monthly } : null,
        days,
        hourOfWeekProfile: baseline.profile,
      };
    },
  );

  app.get(
    '/api/sites/:site/degree-days',
    { schema: { summary: 'Outdoor temperatures and degree days (DJU) per local day', tags: ['analytics'], params: siteParams, querystring: degreeDayQuery, response: analyticsResponses } },
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
        return sendCsv(reply, `degree-days_${site.id}_${period.from}_${period.to}`, ['date', 'hours', 'tMinC', 'tMaxC', 'tMeanC', 'hddC', 'cddC'], rows);
      }
      const sum = temps ? sumDegreeDays(dd) : null;
      return {
        site: site.id,
        from: period.from,
        to: period.to,
        method,
        baseC,
        temperatureSource: site.outdoorTemperature ?? null,
        totalHddC: num(sum?.hddC),
        totalCddC: num(sum?.cddC),
        daysUsed: sum?.daysUsed ?? 0,
        daysOmitted: sum?.daysOmitted ?? [],
        days,
      };
    },
  );

  app.get(
    '/api/sites/:site/corrections',
    { schema: { summary: 'Counter corrections: resets, backward steps, spikes, estimated gaps', tags: ['analytics'], params: siteParams, querystring: periodQuery, response: analyticsResponses } },
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
        return sendCsv(reply, `corrections_${site.id}_${period.from}_${period.to}`, ['at', 'device', 'quantity', 'kind', 'valueBefore', 'valueAfter', 'detail'], rows);
      }
      return { site: site.id, from: period.from, to: period.to, corrections };
    },
  );
};
