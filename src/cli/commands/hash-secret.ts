import { randomBytes } from 'node:crypto';
import { hashSecret } from '../../ingest/device-auth.js';
import { CliError } from '../cli-error.js';

export const hashSecretHelp = `hash-secret [--secret S | --random]
  Prints scrypt$... for "secretHash:" in the site configuration, so that a device's secret
  need not be stored in clear. Without --secret, reads the secret from standard input.
  --random generates a new secret of 128 random bits and prints it (once, for the device)
  on the first line, then its scrypt$... line.`;

/** 16 bytes from the CSPRNG, base64url: 22 characters, safe in YAML, a URL and a firmware form. */
export function randomDeviceSecret(): string {
  return randomBytes(16).toString('base64url');
}

export async function hashSecretCommand(secret: string | undefined, readStdin: () => Promise<string>, out: (line: string) => void, random = false): Promise<number> {
  if (random && secret !== undefined) throw new CliError('--random: give either --random or --secret, not both');
  if (random) {
    const generated = randomDeviceSecret();
    out(`secret: ${generated}`);
    out(`secretHash: ${await hashSecret(generated)}`);
    return 0;
  }
  const value = secret ?? (await readStdin()).replace(/\r?\n$/, '');
  if (value.length < 8) throw new CliError('--secret: a device secret has at least 8 characters');
  out(await hashSecret(value));
  return 0;
}
