// The globals the dashboard's modules use: Chart.js 4 and its matrix plugin, loaded as UMD
// scripts from /vendor/ (index.html) rather than imported, since there is no build step.
import type { Chart as ChartJs } from 'chart.js';
// Adds the 'matrix' chart type to Chart.js's registry of types (chartjs-chart-matrix's own declarations).
import type {} from 'chartjs-chart-matrix';

declare global {
  const Chart: typeof ChartJs;
}
