import { join } from 'node:path';
import { writeFaultConfig, SERVICE_USER } from './fault-load.js';
import { startInfluxd, type InfluxdHandle } from './influxd.js';
import { startMosquitto, type MosquittoHandle } from './mosquitto.js';
import { freePort } from './ports.js';
import { startServiceProcess, type ServiceProcess } from './service-process.js';
import { createTempDir, type TempDir } from './tmp.js';

export interface FaultStack {
  dir: TempDir;
  influx: InfluxdHandle;
  mosquitto: MosquittoHandle;
  deviceIds: string[];
  /** Starts the service (again), subscribed to Mosquitto with a fixed client id; kill -9'd at cleanup. */
  start: () => Promise<ServiceProcess>;
}

export interface LateBrokerStack extends Omit<FaultStack, 'mosquitto'> {
  /** Starts Mosquitto on the port the service was given (registered in `cleanups`). */
  startMosquitto: () => Promise<MosquittoHandle>;
}

/**
 * The production shape for fault tests: devices -> Mosquitto (persistent session of the
 * service) -> service -> InfluxDB, five meters of the fault site. Every part is registered in
 * `cleanups`, to be undone in reverse order after the test.
 */
export async function startFaultStack(cleanups: Array<() => Promise<unknown>>, options: { prefix: string; env?: Record<string, string> }): Promise<FaultStack> {
  const late = await startLateBrokerStack(cleanups, options);
  const mosquitto = await late.startMosquitto();
  return { ...late, mosquitto };
}

/** The same, with Mosquitto not started yet: the service is told its address before it exists. */
export async function startLateBrokerStack(cleanups: Array<() => Promise<unknown>>, options: { prefix: string; env?: Record<string, string> }): Promise<LateBrokerStack> {
  const dir = await createTempDir(options.prefix);
  cleanups.push(() => dir.remove());
  const influx = await startInfluxd();
  cleanups.push(() => influx.stop());
  const { path, config, deviceIds } = await writeFaultConfig(dir.path, 5);
  const mqttPort = await freePort();
  const env = {
    DATA_DIR: join(dir.path, 'data'),
    CONFIG: path,
    INFLUX_URL: influx.url,
    MQTT_URL: `mqtt://${SERVICE_USER.username}:${SERVICE_USER.password}@127.0.0.1:${mqttPort}`,
    MQTT_CLIENT_ID: 'sbe-fault-test',
    ...options.env,
  };
  const start = async () => {
    const service = await startServiceProcess({ env });
    cleanups.push(() => service.kill9());
    return service;
  };
  const startBroker = async () => {
    const mosquitto = await startMosquitto({ config, service: SERVICE_USER, port: mqttPort });
    cleanups.push(() => mosquitto.stop());
    return mosquitto;
  };
  return { dir, influx, deviceIds, start, startMosquitto: startBroker };
}
