// @ts-check
/**
 * A problem from the API (a stable code and its parameters, src/api/problems.ts) in the user's
 * language: numbers formatted for the locale, lists joined. The texts are in i18n/fr.js and
 * i18n/en.js under `problem.<code>`; a code the dashboard does not know yet is shown as itself.
 */
const PCT_PARAMS = new Set(['measuredSharePct', 'requiredSharePct', 'requiredPct']);
/** Years read 2020, not "2 020" (a number format would group their digits). */
const YEAR_PARAMS = new Set(['referenceYear', 'fromYear', 'toYear']);

/** What this module needs of the i18n (lib/i18n.js and view-types.js both give it). @typedef {{ t: (key: string, vars?: Record<string, unknown>) => string, formatNumber: (value: number, maxDigits?: number) => string }} I18n */
/** @typedef {{ code: string, params?: Record<string, unknown> }} ApiProblem */

/** @param {I18n} i18n @param {ApiProblem} problem */
export function problemText(i18n, problem) {
  const key = `problem.${problem.code}`;
  /** @type {Record<string, string>} */
  const vars = {};
  for (const [name, value] of Object.entries(problem.params ?? {})) {
    if (typeof value === 'number' && YEAR_PARAMS.has(name)) vars[name] = String(value);
    else if (typeof value === 'number') vars[name] = i18n.formatNumber(value, PCT_PARAMS.has(name) ? 1 : 0);
    else if (Array.isArray(value)) vars[name] = value.join(', ');
    else vars[name] = String(value);
  }
  const text = i18n.t(key, vars);
  return text === key ? i18n.t('problem.unknown', { code: problem.code }) : text;
}

/** Several problems as one sentence each, without repeating the same text. @param {I18n} i18n @param {readonly ApiProblem[]} problems */
export function problemsText(i18n, problems) {
  return [...new Set(problems.map((p) => problemText(i18n, p)))].join(' ');
}

/** The message of a failed request: the server's problem when it gave one. @param {I18n} i18n @param {unknown} err */
export function errorText(i18n, err) {
  const e = /** @type {{ problem?: ApiProblem | null, message?: string } | null | undefined} */ (err);
  if (e?.problem) return problemText(i18n, e.problem);
  return i18n.t('app.loadError', { message: e?.message ?? String(err) });
}
