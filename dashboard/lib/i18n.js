// @ts-check
import fr from '../i18n/fr.js';
import en from '../i18n/en.js';

/** @typedef {'fr' | 'en'} Lang */
/** A dictionary: nested objects of texts. @typedef {{ [key: string]: string | Dictionary }} Dictionary */

/** @type {Record<Lang, Dictionary>} */
const DICTIONARIES = { fr, en };
/** en-GB rather than en-US: 24 h clock and day/month order, as the site managers read them. @type {Record<Lang, string>} */
const LOCALES = { fr: 'fr-FR', en: 'en-GB' };
const STORAGE_KEY = 'sbe.lang';

/** @typedef {Pick<Storage, 'getItem' | 'setItem'>} LangStorage */

/** @param {LangStorage | null | undefined} storage */
function readStored(storage) {
  try {
    return storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null; // storage disabled (private mode): fall back to French
  }
}

/** @typedef {ReturnType<typeof createI18n>} I18n */

/** @param {string} value @returns {value is Lang} */
const isLang = (value) => Object.hasOwn(DICTIONARIES, value);

/** The text at a dotted key (`site.back`), or undefined. @param {Dictionary} dict @param {string} key */
function lookUp(dict, key) {
  /** @type {string | Dictionary | undefined} */
  let node = dict;
  for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
  return node;
}

/**
 * Translations and Intl formatting in the chosen language. French first.
 * @param {LangStorage | null | undefined} storage where the choice is remembered (localStorage)
 */
export function createI18n(storage) {
  const stored = readStored(storage);
  /** @type {Lang} */
  let lang = stored && isLang(stored) ? stored : 'fr';
  /** @type {Set<(lang: Lang) => void>} */
  const listeners = new Set();
  /** @type {Map<string, Intl.NumberFormat>} */
  const numberFormats = new Map();

  /** @param {string} key @param {Record<string, unknown>} [vars] @returns {string} */
  function t(key, vars) {
    let text = lookUp(DICTIONARIES[lang], key);
    if (typeof text !== 'string') text = lookUp(DICTIONARIES.fr, key);
    if (typeof text !== 'string') return key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m)) : text;
  }

  /** @param {number | null | undefined} value @param {number} [maxDigits] @param {number} [minDigits] @returns {string} */
  function formatNumber(value, maxDigits = 1, minDigits = 0) {
    if (value === null || value === undefined || !Number.isFinite(value)) return '–';
    const cacheKey = `${lang}|${minDigits}|${maxDigits}`;
    let fmt = numberFormats.get(cacheKey);
    if (!fmt) {
      // 'negative': a value that rounds to zero reads 0, not -0.
      // 'negative' is ES2023 Intl (Chromium 106+), newer than the lib this checks against.
      fmt = new Intl.NumberFormat(LOCALES[lang], /** @type {Intl.NumberFormatOptions} */ (/** @type {unknown} */ ({ minimumFractionDigits: minDigits, maximumFractionDigits: maxDigits, signDisplay: 'negative' })));
      numberFormats.set(cacheKey, fmt);
    }
    return fmt.format(value);
  }

  /** @param {number} ms @param {string} timeZone @param {Intl.DateTimeFormatOptions} [options] */
  function formatDate(ms, timeZone, options) {
    return new Intl.DateTimeFormat(LOCALES[lang], { timeZone, ...options }).format(ms);
  }

  return {
    get lang() { return lang; },
    get locale() { return LOCALES[lang]; },
    languages: Object.keys(DICTIONARIES),
    t,
    formatNumber,
    formatDateTime: (/** @type {number} */ ms, /** @type {string} */ tz) => formatDate(ms, tz, { dateStyle: 'short', timeStyle: 'medium' }),
    formatTime: (/** @type {number} */ ms, /** @type {string} */ tz) => formatDate(ms, tz, { hour: '2-digit', minute: '2-digit' }),
    formatDay: (/** @type {number} */ ms, /** @type {string} */ tz) => formatDate(ms, tz, { day: '2-digit', month: '2-digit' }),
    formatLongDate: (/** @type {number} */ ms, /** @type {string} */ tz) => formatDate(ms, tz, { dateStyle: 'medium' }),
    formatDate,
    /** @param {string} next */
    setLang(next) {
      if (!isLang(next) || next === lang) return;
      lang = next;
      try {
        storage?.setItem(STORAGE_KEY, next);
      } catch {
        /* not remembered, still switched */
      }
      for (const fn of listeners) fn(lang);
    },
    /** @param {(lang: Lang) => void} fn @returns {() => void} */
    onChange(fn) {
      listeners.add(fn);
      return () => { listeners.delete(fn); };
    },
  };
}
