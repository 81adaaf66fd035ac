import { hashSecret } from '../../ingest/device-auth.js';
import { CliError } from '../cli-error.js';

export const hashSecretHelp = `hash-secret [--secret S]
  Prints scrypt$... for "secretHash:" in the site configuration, so that a device's secret
  need not be stored in clear. Without --secret, reads the secret from standard input.`;

export async function hashSecretCommand(secret: string | undefined, readStdin: () => Promise<string>, out: (line: string) => void): Promise<number> {
  const value = secret ?? (await readStdin()).replace(/\r?\n$/, '');
  if (value.length < 8) throw new CliError('--secret: a device secret has at least 8 characters');
  out(await hashSecret(value));
  return 0;
}
