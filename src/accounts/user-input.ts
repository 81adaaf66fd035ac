import { z } from 'zod';
import { ROLES } from './model.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.js';

/** User fields as they enter (API body, CLI flags): validated once here, each error naming its field. */
export const emailField = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be an e-mail address'))
  .transform((e) => e.toLowerCase());
export const roleField = z.enum(ROLES, { error: () => `must be one of ${ROLES.join(', ')}` });
export const passwordField = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`);
export const sitesField = z.array(z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be site ids ([a-z0-9-])')).max(500);

/** A problem with one field of a user: `sites: unknown site "rouen"`. */
export class UserInputError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'UserInputError';
  }
}
