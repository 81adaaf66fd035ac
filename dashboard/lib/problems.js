/**
 * A problem from the API (a stable code and its parameters, src/api/problems.ts) in the user's
 * language: numbers formatted for the locale, lists joined. The texts are in i18n/fr.js and
 * i18n/en.js under `problem.<code>`; a code the dashboard does not know yet is shown as itself.
 */
const PCT_PARAMS = new Set(['measuredSharePct', 'requiredSharePct', 'requiredPct']);
/** Years read 2020, not "2 020" (a number format would group their digits). */
const YEAR_PARAMS = new Set(['referenceYear', 'fromYear', 'toYear']);

export function problemText(i18n, problem) {
  const key = `problem.${problem.code}`;
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

/** Several problems as one sentence each, without repeating the same text. */
export function problemsText(i18n, problems) {
  return [...new Set(problems.map((p) => problemText(i18n, p)))].join(' ');
}

/** The message of a failed request: the server's problem when it gave one. */
export function errorText(i18n, err) {
  if (err?.problem) return problemText(i18n, err.problem);
  return i18n.t('app.loadError', { message: err?.message ?? String(err) });
}
