import fr from '../i18n/fr.js';
import en from '../i18n/en.js';

const DICTIONARIES = { fr, en };
/** en-GB rather than en-US: 24 h clock and day/month order, as the site managers read them. */
const LOCALES = { fr: 'fr-FR', en: 'en-GB' };
const STORAGE_KEY = 'sbe.lang';

function readStored(storage) {
  try {
    return storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null; // storage disabled (private mode): fall back to French
  }
}

/** @typedef {ReturnType<typeof createI18n>} I18n */

/** Translations and Intl formatting in the chosen language. French first. */
export function createI18n(storage) {
  const stored = readStored(storage);
  let lang = stored && Object.hasOwn(DICTIONARIES, stored) ? stored : 'fr';
  const listeners = new Set();
  const numberFormats = new Map();

  function t(key, vars) {
    const dict = DICTIONARIES[lang];
    let text = key.split('.').reduce((node, part) => (node == null ? undefined : node[part]), dict);
    if (typeof text !== 'string') {
      text = key.split('.').reduce((node, part) => (node == null ? undefined : node[part]), DICTIONARIES.fr);
    }
    if (typeof text !== 'string') return key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m)) : text;
  }

  function formatNumber(value, maxDigits = 1, minDigits = 0) {
    if (value === null || value === undefined || !Number.isFinite(value)) return '–';
    const cacheKey = `${lang}|${minDigits}|${maxDigits}`;
    let fmt = numberFormats.get(cacheKey);
    if (!fmt) {
      // 'negative': a value that rounds to zero reads 0, not -0.
      fmt = new Intl.NumberFormat(LOCALES[lang], { minimumFractionDigits: minDigits, maximumFractionDigits: maxDigits, signDisplay: 'negative' });
      numberFormats.set(cacheKey, fmt);
    }
    return fmt.format(value);
  }

  function formatDate(ms, timeZone, options) {
    return new Intl.DateTimeFormat(LOCALES[lang], { timeZone, ...options }).format(ms);
  }

  return {
    get lang() { return lang; },
    get locale() { return LOCALES[lang]; },
    languages: Object.keys(DICTIONARIES),
    t,
    formatNumber,
    formatDateTime: (ms, tz) => formatDate(ms, tz, { dateStyle: 'short', timeStyle: 'medium' }),
    formatTime: (ms, tz) => formatDate(ms, tz, { hour: '2-digit', minute: '2-digit' }),
    formatDay: (ms, tz) => formatDate(ms, tz, { day: '2-digit', month: '2-digit' }),
    formatLongDate: (ms, tz) => formatDate(ms, tz, { dateStyle: 'medium' }),
    formatDate,
    setLang(next) {
      if (!Object.hasOwn(DICTIONARIES, next) || next === lang) return;
      lang = next;
      try {
        storage?.setItem(STORAGE_KEY, next);
      } catch {
        /* not remembered, still switched */
      }
      for (const fn of listeners) fn(lang);
    },
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
