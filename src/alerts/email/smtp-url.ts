/**
 * SMTP_URL handling: checked once at start, never logged with its password, and its
 * credentials scrubbed from every SMTP error text before that text is stored or shown.
 */

export class SmtpUrlError extends Error {
  constructor(problem: string) {
    super(`SMTP_URL: ${problem}`);
    this.name = 'SmtpUrlError';
  }
}

export interface SmtpEndpoint {
  url: string;
  /** For logs and health: the URL with the password replaced by `***`. */
  masked: string;
  username: string | null;
  password: string | null;
}

/** smtp://[user[:pass]@]host[:port] (STARTTLS when offered) or smtps:// (implicit TLS, RFC 8314 §3.3). */
export function parseSmtpUrl(value: string): SmtpEndpoint {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The value is not repeated: a mistyped URL may still hold a password.
    throw new SmtpUrlError('not a URL (expected smtp://user:pass@host:587 or smtps://host:465)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new SmtpUrlError(`scheme must be smtp: or smtps:, not ${url.protocol}`);
  if (!url.hostname) throw new SmtpUrlError('no host');
  if (url.password && !url.username) throw new SmtpUrlError('a password without a user name');
  return {
    url: value,
    masked: maskUrl(url),
    username: url.username ? decodeURIComponent(url.username) : null,
    password: url.password ? decodeURIComponent(url.password) : null,
  };
}

function maskUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href;
}

/**
 * Removes the credentials from a text (an SMTP error, a server's reply): the password as given,
 * URL-encoded, and in the base64 forms AUTH PLAIN (RFC 4616: "\0user\0pass") and AUTH LOGIN
 * send on the wire, which some servers and libraries echo back in errors; and any `user:pass@`
 * left in a URL.
 */
export function credentialScrubber(endpoint: SmtpEndpoint | null): (text: string) => string {
  const secrets: string[] = [];
  if (endpoint?.password) {
    const user = endpoint.username ?? '';
    const password = endpoint.password;
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    secrets.push(password, encodeURIComponent(password), b64(password), b64(`\u0000${user}\u0000${password}`), b64(`${user}\u0000${user}\u0000${password}`));
  }
  const ordered = [...new Set(secrets)].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi, '$1:***@');
    for (const secret of ordered) out = out.split(secret).join('***');
    return out;
  };
}
