// @ts-check
/**
 * Types shared by the views written with `// @ts-check` (alerts and admin pages). The other views
 * receive the same context from app.js.
 *
 * @typedef {{ id: string, name: string, timezone: string, devices: Array<{ id: string, name: string, quantities: Array<{ name: string, unit: string }> }> }} SiteInfo
 * @typedef {{ user: { id: number, email: string, role: string, sites: string[] }, sites: string[], csrfToken: string | null }} Session
 * @typedef {{
 *   lang: string, locale: string,
 *   t: (key: string, vars?: Record<string, unknown>) => string,
 *   formatNumber: (value: number | null | undefined, maxDigits?: number, minDigits?: number) => string,
 *   formatDateTime: (ms: number, tz: string) => string,
 *   formatDay: (ms: number, tz: string) => string,
 *   formatTime: (ms: number, tz: string) => string,
 * }} I18n
 * @typedef {{ api: any, write: ReturnType<typeof import('./write-api.js').createWriteApi>, i18n: I18n, sites: SiteInfo[], session: Session, now: () => number }} ViewContext
 * @typedef {() => void} StopView
 *
 * The context app.js gives the overview, site and rejections pages: the typed API client, the
 * i18n, and the sites the caller may see as GET /api/sites answered them.
 * @typedef {{ api: ReturnType<typeof import('./api.js').createApi>, i18n: import('./i18n.js').I18n, sites: import('../types/api').Site[], now: () => number }} PageContext
 */
export {};
