import { problemOf, type Problem } from './problems.js';

/**
 * Errors a route throws on purpose. The error handler (error-handler.ts) turns them into a JSON
 * body that names the parameter at fault and carries a problem code (problems.ts) with its
 * parameters; anything else is a 500.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: 400 | 404,
    message: string,
    /** The request parameter at fault: `site`, `device`, `quantity`, `from`, `to`, `every`, `limit`. */
    readonly field: string | undefined,
    readonly problem: Problem,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * `querystring.quantity: unknown quantity "powr_w" for device tgbt of site cleon-bureaux`. Without
 * a specific problem, the code is `invalid-parameter` with the English detail as its parameter.
 */
export function badRequest(location: 'params' | 'querystring' | 'body', field: string, detail: string, problem?: Problem): HttpError {
  return new HttpError(400, `${location}.${field}: ${detail}`, field, problem ?? problemOf('invalid-parameter', { location, field, detail }));
}

export function notFound(field: string, message: string, problem: Problem): HttpError {
  return new HttpError(404, message, field, problem);
}
