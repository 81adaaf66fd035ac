import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeSkipped, generateMosquittoFiles, serviceUsernames } from '../../ingest/mosquitto-files.js';
import { CliError } from '../cli-error.js';
import { loadContext } from '../context.js';

export const mosquittoFilesHelp = `mosquitto-files --out DIR [--config FILE] [--replicas N]
  Writes DIR/passwd and DIR/acl for Mosquitto from the site configuration: each device may
  publish under sites/{site}/devices/{device} only, or on its profile's topics (Tasmota, Shelly…);
  a zigbee2mqtt bridge only for the devices configured under it. When MQTT_SERVICE_USER and
  MQTT_SERVICE_PASSWORD are set (see config/docker/example.env), the service's own user is added,
  allowed to read every device topic, profile topics included. --replicas N adds one user per
  replica of the service (MQTT_SERVICE_USER-1 … -N, same password), as the compose \`scale\`
  profile logs in: the shipped mosquitto.conf makes the username the client id, so two replicas
  sharing one user would disconnect each other.`;

export async function mosquittoFilesCommand(outDir: string | undefined, configOption: string | undefined, out: (line: string) => void, env: NodeJS.ProcessEnv = process.env, replicasOption?: string): Promise<number> {
  if (!outDir) throw new CliError('--out: the directory to write passwd and acl into is required');
  const replicas = replicasOption === undefined ? 0 : Number(replicasOption);
  if (replicasOption !== undefined && !(Number.isInteger(replicas) && replicas >= 1 && replicas <= 64)) {
    throw new CliError(`--replicas: a whole number of service replicas from 1 to 64, got ${JSON.stringify(replicasOption)}`);
  }
  const { config } = loadContext(configOption, env);
  const serviceUser = env.MQTT_SERVICE_USER;
  const servicePassword = env.MQTT_SERVICE_PASSWORD;
  if ((serviceUser === undefined) !== (servicePassword === undefined)) throw new CliError('MQTT_SERVICE_USER and MQTT_SERVICE_PASSWORD go together: set both or neither');
  if (replicas > 0 && !serviceUser) throw new CliError('--replicas: set MQTT_SERVICE_USER and MQTT_SERVICE_PASSWORD, whose users the replicas get');
  const service = serviceUser && servicePassword ? { username: serviceUser, password: servicePassword, replicas } : undefined;
  const files = await generateMosquittoFiles(config, service);
  await mkdir(outDir, { recursive: true });
  // PBKDF2 hashes, not secrets; world-readable because the container's mosquitto user (uid 1883)
  // must read a file that belongs to whoever ran this command on the host.
  await writeFile(join(outDir, 'passwd'), files.passwordFile, { mode: 0o644 });
  await writeFile(join(outDir, 'acl'), files.aclFile, { mode: 0o644 });
  out(`wrote ${join(outDir, 'passwd')} and ${join(outDir, 'acl')}${serviceUser ? ` (with the service user${service ? `s ${serviceUsernames(service).join(', ')}` : ''})` : ' (no service user: set MQTT_SERVICE_USER and MQTT_SERVICE_PASSWORD to add it)'}`);
  const skipped = describeSkipped(files.skipped);
  if (skipped) out(skipped);
  return 0;
}
