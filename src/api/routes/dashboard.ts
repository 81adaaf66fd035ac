import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** Where chart.js keeps its UMD build: served from node_modules, never a CDN (the sites may be offline). */
export function chartJsDistDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('chart.js'));
}

/** The dashboard's files at `/` and chart.js's UMD file at `/vendor/chart.umd.js`. */
export const dashboardRoutes: FastifyPluginAsync<{ dashboardDir: string }> = async (app, { dashboardDir }) => {
  // The wildcard would also answer unknown /api/ paths (with 403 for some): those get the API's JSON 404.
  await app.register(fastifyStatic, { root: dashboardDir, prefix: '/', index: ['index.html'], wildcard: true, allowedPath: (pathName) => !pathName.startsWith('/api/') && pathName !== '/api' });
  // A second @fastify/static registration must not decorate reply again (STACK-NOTES).
  await app.register(fastifyStatic, {
    root: chartJsDistDir(),
    prefix: '/vendor/',
    decorateReply: false,
    allowedPath: (pathName) => pathName === '/chart.umd.js' || pathName === '/chart.umd.js.map',
  });
};
