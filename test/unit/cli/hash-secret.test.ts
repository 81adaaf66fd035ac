import { describe, expect, it } from 'vitest';
import { hashSecretCommand } from '../../../src/cli/commands/hash-secret.js';
import { verifySecret } from '../../../src/ingest/device-auth.js';

describe('hash-secret --random', () => {
  it('prints a new 128-bit secret and a secretHash that verifies it, different each time', async () => {
    const runs: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const lines: string[] = [];
      expect(await hashSecretCommand(undefined, async () => '', (l) => lines.push(l), true)).toBe(0);
      runs.push(lines);
    }
    const [first, second] = runs as [string[], string[]];
    const secret = first[0]?.replace(/^secret: /, '') ?? '';
    expect(secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(16);
    const hash = first[1]?.replace(/^secretHash: /, '') ?? '';
    expect(await verifySecret(secret, hash)).toBe(true);
    expect(second[0]).not.toBe(first[0]);
  });

  it('refuses --random together with --secret', async () => {
    await expect(hashSecretCommand('a-secret-123', async () => '', () => undefined, true)).rejects.toThrow(/--random/);
  });
});
