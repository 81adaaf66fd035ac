import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** Where chart.js keeps its UMD build: served from node_modules, never a CDN (the sites may be offline). */
export function chartJsDistDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('chart.js'));
}

/** Where chartjs-chart-matrix (the carpet plot's heat map, issue 13) keeps its UMD build, which registers itself on the global Chart. */
export function chartMatrixDistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('chartjs-chart-matrix/package.json')), 'dist');
}

/** The files served under /vendor/, and nothing else of node_modules. */
export const VENDOR_FILES = new Set(['/chart.umd.js', '/chart.umd.js.map', '/chartjs-chart-matrix.min.js', '/chartjs-chart-matrix.min.js.map']);

/** The dashboard's files at `/`, chart.js and its matrix plugin at `/vendor/`. */
export const dashboardRoutes: FastifyPluginAsync<{ dashboardDir: string }> = async (app, { dashboardDir }) => {
  // The wildcard would also answer unknown /api/ paths (with 403 for some): those get the API's JSON 404.
  await app.register(fastifyStatic, { root: dashboardDir, prefix: '/', index: ['index.html'], wildcard: true, allowedPath: (pathName) => !pathName.startsWith('/api/') && pathName !== '/api' });
  // A second @fastify/static registration must not decorate reply again (STACK-NOTES). Two roots,
  // one prefix: a file is served from the first directory that has it.
  await app.register(fastifyStatic, {
    root: [chartJsDistDir(), chartMatrixDistDir()],
    prefix: '/vendor/',
    decorateReply: false,
    allowedPath: (pathName) => VENDOR_FILES.has(pathName),
  });
};
