// Hash routing (#search, #review/12): each screen is a module in js/screens/, imported when first shown,
// rendered once into its own <section> (so a screen keeps its state across hash changes), and told when it
// is shown again, when the language changes and when the session changes.

import { $, $$ } from './dom.js';
import { applyI18n, t } from './i18n.js';
import { can, signedIn } from './session.js';

/** The screens: module file, heading key, and what the nav link needs (the server still decides). */
export const ROUTES = {
  search: { module: 'search', title: 'searchHeading' },
  signin: { module: 'signin', title: 'signInHeading' },
  contribute: { module: 'contribute', title: 'contributeHeading' },
  import: { module: 'import', title: 'importHeading' },
  mine: { module: 'mine', title: 'mineHeading', needs: 'contribute' },
  questions: { module: 'questions', title: 'questionsHeading', needs: 'contribute' },
  blueprint: { module: 'blueprint', title: 'blueprintHeading', needs: 'contribute' },
  queue: { module: 'queue', title: 'queueHeading', needs: 'board' },
  review: { module: 'review', title: 'reviewHeading', needs: 'board' },
  assign: { module: 'assign', title: 'assignHeading', needs: 'chair' },
  admin: { module: 'admin', title: 'adminHeading', needs: 'admin' },
  reports: { module: 'reports', title: 'reportsHeading' },
};

const loaded = new Map(); // name -> { module, section }
let afterSignIn = null;
let current = null;

export function parseHash() {
  const [name, ...params] = location.hash.replace(/^#\/?/, '').split('?')[0].split('/').map(decodeURIComponent);
  return { name: ROUTES[name] ? name : 'search', params };
}

export function navigate(hash) {
  if (location.hash === hash) show(true);
  else location.hash = hash;
}

/** Where to go after signing in (the screen that asked for it). */
export function rememberReturn(name) {
  afterSignIn = name;
}

export function takeReturn() {
  const name = afterSignIn || 'search';
  afterSignIn = null;
  return name;
}

async function load(name) {
  if (loaded.has(name)) return loaded.get(name);
  const route = ROUTES[name];
  const section = document.createElement('section');
  section.id = `view-${name}`;
  section.className = 'view';
  section.dataset.view = name;
  section.hidden = true;
  $('#main').append(section);
  const module = await import(`../screens/${route.module}.js`);
  const entry = { module, section };
  loaded.set(name, entry);
  await module.render(section, context(name));
  return entry;
}

function context(name) {
  return { name, params: () => parseHash().params, navigate, rememberReturn, takeReturn };
}

/** Shows the screen of the address; `focus` moves the focus to it (not on the first load). */
export async function show(focus = true) {
  let { name } = parseHash();
  if (name === 'signin' && signedIn()) name = 'search';
  current = name;
  const entry = await load(name);
  if (current !== name) return;
  for (const section of $$('#main > [data-view]')) section.hidden = section.dataset.view !== name;
  for (const link of $$('[data-view-link]')) {
    if (link.dataset.viewLink === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${t(ROUTES[name].title)} — Hoclieu`;
  await entry.module.show?.(entry.section, context(name), focus);
  // The first screen of a page load is on the page (the browser test reads this with Navigation Timing).
  if (!performance.getEntriesByName('hoclieu:screen').length) performance.mark('hoclieu:screen');
  if (focus && !entry.section.contains(document.activeElement)) {
    const heading = $('h1', entry.section);
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  }
}

/** Nav links for what the signed-in user may do. */
export function updateNav() {
  for (const link of $$('[data-view-link]')) {
    const needs = ROUTES[link.dataset.viewLink]?.needs;
    link.parentElement.hidden = Boolean(needs) && !can(needs);
  }
}

export function languageChanged() {
  applyI18n(document);
  for (const [name, { module, section }] of loaded) module.onLanguage?.(section, context(name));
  if (current) document.title = `${t(ROUTES[current].title)} — Hoclieu`;
}

export function sessionChanged() {
  updateNav();
  for (const [name, { module, section }] of loaded) module.onSession?.(section, context(name));
}
