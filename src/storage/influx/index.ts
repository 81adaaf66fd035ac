export { InfluxStore } from './influx-store.js';
export { influxStoreOptionsFromEnv, type InfluxStoreOptions } from './options.js';
