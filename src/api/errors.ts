/**
 * Errors a route throws on purpose. The error handler (error-handler.ts) turns them
 * into a JSON body that names the parameter at fault; anything else is a 500.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: 400 | 404,
    message: string,
    /** The request parameter at fault: `site`, `device`, `quantity`, `from`, `to`, `every`, `limit`. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** `querystring.quantity: unknown quantity "powr_w" for device tgbt of site cleon-bureaux`. */
export function badRequest(location: 'params' | 'querystring' | 'body', field: string, problem: string): HttpError {
  return new HttpError(400, `${location}.${field}: ${problem}`, field);
}

export function notFound(field: string, problem: string): HttpError {
  return new HttpError(404, problem, field);
}
