import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SiteConfig } from '../../config/schema.js';
import { EventBus } from '../../events/event-bus.js';
import type { LiveValue } from '../../live/live-batch.js';
import type { LiveHandover } from '../../live/fanout-process.js';
import { LiveStreams } from '../../live/live-streams.js';
import { LiveViewer } from '../../live/live-viewer.js';
import { SiteLiveHub } from '../../live/site-live-hub.js';
import { SSE_HEADERS, STREAM_PREAMBLE, latestEncoder } from '../../live/sse-format.js';
import type { AppDeps } from '../deps.js';
import { badRequest, notFound } from '../errors.js';
import { problemOf } from '../problems.js';
import { errorResponses, identifierParam, siteParams } from '../schemas.js';
import { findSite } from '../site-catalog.js';
import { visibleSites } from '../site-scope.js';

const DESCRIPTION = [
  'Server-Sent Events (text/event-stream). The first event `latest` carries every latest value of the',
  'site from the store, in the shape of GET /api/sites/{site}/latest. Each later event `latest` carries',
  'only the values that changed: the newest reading of each device and quantity stored since the previous',
  'event, sent within about 100 ms of being stored (readings are pushed as ingest stores them, the store is',
  'not polled). A comment line `: keep-alive` comes every 15 s when nothing else was sent. A client that',
  'reads too slowly gets the newest value of each device and quantity once it catches up (older ones are',
  'coalesced away, never queued without bound). Event `unavailable` says the store could not be read for the',
  'first event. Site managers get 404 for a site that is not theirs.',
].join(' ');

const liveQuery = z.strictObject({
  sites: z.string().max(4096).optional().describe('Comma-separated site ids (default: every site the caller may see)'),
});

/**
 * The live stream of a site, fed by the live hub (one subscription per site for every viewer,
 * src/live/site-live-hub.ts), written by hand on the raw response.
 */
export const liveRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const hub = deps.live ?? new SiteLiveHub({ events: new EventBus() });
  const streams = new LiveStreams({ ...(deps.liveKeepAliveMs !== undefined ? { keepAliveMs: deps.liveKeepAliveMs } : {}), ...(deps.liveStalledMs !== undefined ? { stalledMs: deps.liveStalledMs } : {}) });
  const fanout = deps.liveFanout;
  // Open streams would keep server.close() waiting for ever: end them first (those of the fan-out
  // process too: the server waits for the sockets it handed over).
  app.addHook('preClose', async () => {
    streams.endAll();
    fanout?.endAll();
  });

  /** The stream served here: one viewer per site on the response; returns what the snapshots go to. */
  const serveHere = (reply: FastifyReply, sites: readonly SiteConfig[]): LiveHandover => {
    const raw = reply.raw;
    raw.writeHead(200, SSE_HEADERS);
    // Each congested viewer waits for one 'drain' of the shared response.
    raw.setMaxListeners(sites.length + 10);
    raw.write(STREAM_PREAMBLE);
    const viewers = sites.map((site) => new LiveViewer(raw, latestEncoder(site), streams.monotonicMs));
    // Subscribed before the snapshots are read: what is stored meanwhile is kept, and sent after them if newer.
    const unsubscribes = sites.map((site, i) => hub.subscribe(site.id, (batch) => viewers[i]!.onBatch(batch)));
    let closed = false;
    const counted = () => deps.metrics.liveStreams.set({ served_by: 'http-process' }, streams.size);
    const end = streams.add(viewers, () => {
      closed = true;
      counted();
      unsubscribes.forEach((off) => off());
      viewers.forEach((v) => v.end());
    });
    counted();
    raw.on('close', end);
    return {
      get closed() {
        return closed;
      },
      snapshot: (site, values) => {
        const viewer = viewers[sites.findIndex((s) => s.id === site)]!;
        if (values === null) viewer.sendEvent('unavailable', { site, message: 'store unavailable' });
        // Later batches still flow: the page is told new values even while the store cannot answer.
        viewer.sendSnapshot(values);
      },
    };
  };

  /** Opens the event stream of `sites`: here, or in the fan-out process; then each site's snapshot. */
  const stream = async (request: FastifyRequest, reply: FastifyReply, sites: readonly SiteConfig[]) => {
    reply.hijack();
    const handover = fanout?.canAdopt(request.raw)
      ? fanout.adopt(request.raw.socket, { ...reply.raw.getHeaders(), ...SSE_HEADERS }, sites.map((s) => s.id))
      : serveHere(reply, sites);
    // One store query for every site of the stream (the overview's 20 cards made 20 queries,
    // 2026-12-01): sitesLatest is one query on both stores.
    const ids = sites.map((s) => s.id);
    let bySite: Map<string, LiveValue[]> | null = null;
    try {
      if (ids.length === 1) bySite = new Map([[ids[0]!, await deps.store.latest(ids[0]!)]]);
      else {
        const grouped = new Map<string, LiveValue[]>(ids.map((id) => [id, []]));
        for (const { site, ...value } of await deps.store.sitesLatest(ids)) grouped.get(site)?.push(value);
        bySite = grouped;
      }
    } catch (err) {
      if (!handover.closed) request.log.warn({ err, sites: ids }, 'live stream: store query failed');
    }
    if (handover.closed) return;
    for (const id of ids) {
      const values = bySite?.get(id) ?? null;
      if (values) hub.noteSnapshot(id, values);
      handover.snapshot(id, values);
    }
  };

  app.get(
    '/api/sites/:site/live',
    {
      schema: {
        summary: 'Live latest values of a site (text/event-stream, event "latest", same shape as /latest)',
        description: DESCRIPTION,
        tags: ['sites'],
        params: siteParams,
        produces: ['text/event-stream'],
        response: { 404: errorResponses[404], 400: errorResponses[400] },
      },
    },
    // Checked before the stream opens, so an unknown site is still a JSON 404.
    async (request, reply) => stream(request, reply, [findSite(deps.config, request.params.site)]),
  );

  app.get(
    '/api/live',
    {
      schema: {
        summary: 'Live latest values of several sites in one stream (text/event-stream; the overview)',
        description: `The stream of GET /api/sites/{site}/live for each site the caller may see (or those of \`sites\`, comma-separated), in one connection: each event \`latest\` names its \`site\`, and each site has its own first event. A browser opens at most 6 connections per host over HTTP/1.1: one stream per card would stall the page. A site the caller may not see is a 404, as for a site that does not exist; no site at all is a 204.`,
        tags: ['sites'],
        querystring: liveQuery,
        produces: ['text/event-stream'],
        response: { 204: z.null().describe('No site to watch'), 404: errorResponses[404], 400: errorResponses[400] },
      },
    },
    async (request, reply) => {
      const visible = visibleSites(request, deps.config);
      const wanted = request.query.sites?.split(',') ?? deps.config.sites.map((s) => s.id).filter((id) => visible.has(id));
      const sites = [...new Set(wanted)].map((id) => {
        const checked = identifierParam.safeParse(id);
        if (!checked.success) throw badRequest('querystring', 'sites', `${JSON.stringify(id.slice(0, 64))} ${checked.error.issues[0]?.message ?? 'is not a site id'}`);
        if (!visible.has(id)) throw notFound('sites', `unknown site ${JSON.stringify(id)}`, problemOf('unknown-site', { site: id }));
        return findSite(deps.config, id);
      });
      // No site to watch (a site manager of no site): 204 tells EventSource not to reconnect (WHATWG HTML §9.2.3).
      if (sites.length === 0) return reply.code(204).send(null);
      return stream(request, reply, sites);
    },
  );
};
