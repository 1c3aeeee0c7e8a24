// Texts: one catalogue per language (js/i18n/vi.js, js/i18n/en.js); Vietnamese first.
// Only the chosen language is loaded; the other is imported when the visitor switches.

import vi from '../i18n/vi.js';

const LANG_KEY = 'hoclieu.lang';
const catalogues = { vi };
const listeners = new Set();

export let lang = readLang();

function readLang() {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

/** Loads the catalogue of the chosen language (Vietnamese is always there). */
export async function loadLanguage(next = lang) {
  if (!catalogues[next]) catalogues[next] = (await import(`../i18n/${next}.js`)).default;
  lang = next;
  document.documentElement.lang = lang;
}

/** The text for `key` in the chosen language (functions get `args`). */
export function t(key, ...args) {
  const value = catalogues[lang]?.[key] ?? catalogues.vi[key] ?? key;
  return typeof value === 'function' ? value(...args) : value;
}

/** A map entry from the catalogue (e.g. `t.map('kinds', 'lesson')`), or the code itself. */
export function named(group, code) {
  const table = catalogues[lang]?.[group] ?? catalogues.vi[group] ?? {};
  return table[code] ?? String(code);
}

export function locale() {
  return lang === 'vi' ? 'vi-VN' : 'en-GB';
}

export function fmt(n) {
  return new Intl.NumberFormat(locale()).format(n);
}

export function formatBytes(n) {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

export function formatDate(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** Puts the catalogue's texts into [data-i18n], [data-i18n-placeholder] and [data-i18n-aria-label] below `root`. */
export function applyI18n(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-placeholder]')) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of root.querySelectorAll('[data-i18n-aria-label]')) node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel));
  for (const node of root.querySelectorAll('[data-i18n-title]')) node.title = t(node.dataset.i18nTitle);
}

export async function setLanguage(next) {
  const chosen = next === 'en' ? 'en' : 'vi';
  if (chosen === lang) return;
  await loadLanguage(chosen);
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    /* not stored: the choice lasts for this page */
  }
  for (const listener of listeners) listener(lang);
}

/** Calls `listener` after every language switch. */
export function onLanguageChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
