import { readFileSync } from 'node:fs';

/**
 * The PEM files of the embedded broker's TLS listener, read once at start-up. A file that cannot
 * be read stops start-up with the variable named (the path is the operator's own, safe to show).
 */
export function readTlsFiles(env: { MQTT_TLS_CERT?: string | undefined; MQTT_TLS_KEY?: string | undefined }): { cert: Buffer; key: Buffer } | undefined {
  if (env.MQTT_TLS_CERT === undefined || env.MQTT_TLS_KEY === undefined) return undefined;
  const read = (name: 'MQTT_TLS_CERT' | 'MQTT_TLS_KEY', path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
    }
  };
  return { cert: read('MQTT_TLS_CERT', env.MQTT_TLS_CERT), key: read('MQTT_TLS_KEY', env.MQTT_TLS_KEY) };
}
