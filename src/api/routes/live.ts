import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps.js';
import { latestView } from '../latest-view.js';
import { errorResponses, siteParams } from '../schemas.js';
import { findSite } from '../site-catalog.js';

export const DEFAULT_LIVE_INTERVAL_MS = 5_000;

/**
 * Server-Sent Events (WHATWG HTML, "Server-sent events") written by hand on the raw
 * response: each connection polls the store's latest values and pushes an event
 * `latest` when they changed, a comment otherwise (keeps proxies from timing out).
 * Power is among the latest values; the dashboard picks what it charts.
 */
export const liveRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const intervalMs = deps.liveIntervalMs ?? DEFAULT_LIVE_INTERVAL_MS;
  const open = new Set<() => void>();
  // Open streams would keep server.close() waiting for ever: end them first.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get(
    '/api/sites/:site/live',
    {
      schema: {
        summary: 'Live latest values of a site (text/event-stream, event "latest", same shape as /latest)',
        tags: ['sites'],
        params: siteParams,
        produces: ['text/event-stream'],
        response: { 404: errorResponses[404], 400: errorResponses[400] },
      },
    },
    async (request, reply) => {
      // Checked before the stream opens, so an unknown site is still a JSON 404.
      const site = findSite(deps.config, request.params.site);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(`retry: ${intervalMs}\n\n`);
      let lastSent = '';
      let polling = false;
      let ended = false;
      const poll = async () => {
        if (polling || ended) return;
        polling = true;
        try {
          const data = JSON.stringify({ site: site.id, values: latestView(site, await deps.store.latest(site.id)) });
          if (ended) return;
          if (data !== lastSent) raw.write(`event: latest\ndata: ${data}\n\n`);
          else raw.write(': keep-alive\n\n');
          lastSent = data;
        } catch (err) {
          request.log.warn({ err }, 'live stream: store query failed');
          if (!ended) raw.write('event: unavailable\ndata: {"message":"store unavailable"}\n\n');
        } finally {
          polling = false;
        }
      };
      const timer = setInterval(() => void poll(), intervalMs);
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(timer);
        open.delete(end);
        if (!raw.writableEnded) raw.end();
      };
      open.add(end);
      raw.on('close', end);
      void poll();
    },
  );
};
