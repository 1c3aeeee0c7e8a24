// Search (home): as-you-type search with facets, result highlighting, load more, preview and download.
// API: GET /api/v1/search (q, facet filters, facets, limit, cursor), POST /api/v1/materials/{pid}/versions/{n}/preview.

import { api, errorText } from '../core/api.js';
import { $, announce, el, metaItem, pidPath, showErrorText, splitList, template } from '../core/dom.js';
import { fmt, named, t } from '../core/i18n.js';
import { cataloguePicker } from '../core/picker.js';

const FACETS = ['subject', 'grade', 'kind', 'format', 'licence'];
const KINDS = ['lesson', 'simulation', 'document', 'video', 'link', 'question_set', 'course_package'];
const PAGE_SIZE = 20;
const DEBOUNCE_MS = 150;

const state = {
  q: '',
  filters: Object.fromEntries(FACETS.map((f) => [f, new Set()])),
  items: [],
  total: 0,
  lowerBound: false,
  next: null,
  facets: {},
  generation: 0,
  controller: null,
  loaded: false,
};
let root;
let debounceTimer = 0;
let unitPicker;
/** Catalogue nodes chosen as a filter (a node includes everything below it). */
let units = [];

const MARKUP = `
  <h1 id="search-heading" data-i18n="searchHeading"></h1>
  <form id="search-form" class="search-form" role="search">
    <label for="q" class="search-label" data-i18n="searchLabel"></label>
    <div class="search-row">
      <input type="search" id="q" name="q" maxlength="500" data-i18n-placeholder="searchPlaceholder" aria-describedby="q-hint">
      <button type="submit" class="button" data-i18n="searchButton"></button>
    </div>
    <p id="q-hint" class="hint" data-i18n="searchHint"></p>
  </form>
  <div class="search-layout">
    <aside class="filters" aria-labelledby="filters-heading">
      <div class="filters-head">
        <h2 id="filters-heading" data-i18n="filtersHeading"></h2>
        <button type="button" id="clear-filters" class="link-button" hidden data-i18n="clearFilters"></button>
      </div>
      <div class="facet" id="facet-unit"></div>
      ${FACETS.map((f) => `<fieldset class="facet" id="facet-${f}"><legend data-i18n="facet_${f}"></legend><div class="facet-values" data-facet="${f}"></div></fieldset>`).join('')}
    </aside>
    <div class="results-area">
      <p id="result-count" class="result-count" aria-live="polite"></p>
      <ol id="results" class="results"></ol>
      <div class="load-more-row"><button type="button" id="load-more" class="button button-secondary" hidden data-i18n="loadMore"></button></div>
    </div>
  </div>`;

export async function render(section) {
  root = section;
  template(section, MARKUP);
  section.setAttribute('aria-labelledby', 'search-heading');
  readUrl();
  buildUnitPicker();
  $('#search-form', section).addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(debounceTimer);
    state.q = $('#q', section).value;
    runSearch();
  });
  $('#q', section).addEventListener('input', onInput);
  $('#load-more', section).addEventListener('click', loadMore);
  $('#clear-filters', section).addEventListener('click', () => {
    for (const facet of FACETS) state.filters[facet].clear();
    units = [];
    unitPicker.set([]);
    runSearch();
    $('#q', section).focus();
  });
  runSearch();
}

export function show(section, ctx, focus) {
  if (focus && location.hash) $('#q', section).focus();
}

function buildUnitPicker() {
  unitPicker = cataloguePicker({
    id: 'f-unit', label: t('facet_unit'),
    onChange: (codes) => {
      units = codes;
      runSearch();
    },
  });
  unitPicker.set(units);
  $('#facet-unit', root).replaceChildren(unitPicker.node);
}

export function onLanguage() {
  buildUnitPicker();
  if (!state.loaded) return;
  renderFacets();
  renderResults();
}

export function onSession() {
  // A search as a signed-in user may see more (own drafts, sector materials).
  runSearch();
}

function onInput() {
  clearTimeout(debounceTimer);
  debounceTimer = setTimeout(() => {
    const value = $('#q', root).value;
    if (value.trim() === state.q.trim()) return;
    state.q = value;
    runSearch();
  }, DEBOUNCE_MS);
}

function params({ cursor = null, facets = [], without = null, limit = PAGE_SIZE } = {}) {
  const p = new URLSearchParams();
  const q = state.q.trim();
  if (q) p.set('q', q);
  for (const facet of FACETS) {
    if (facet === without) continue;
    const values = [...state.filters[facet]];
    if (values.length) p.set(facet, values.join(','));
  }
  if (units.length) p.set('unit', units.join(','));
  p.set('limit', String(limit));
  if (cursor) p.set('cursor', cursor);
  if (facets.length) p.set('facets', facets.join(','));
  return p;
}

/**
 * A new search: the first page and the facet counts. Facet counts are computed over the filtered matches,
 * so for a facet with a selection a second, one-item request without its own filter gives the counts of the
 * alternatives (values of one facet are ORed).
 */
async function runSearch() {
  syncUrl();
  state.controller?.abort();
  const controller = new AbortController();
  state.controller = controller;
  const generation = ++state.generation;
  const selected = FACETS.filter((f) => state.filters[f].size > 0);
  const plain = FACETS.filter((f) => state.filters[f].size === 0);
  $('#results', root).setAttribute('aria-busy', 'true');
  $('#result-count', root).textContent = t('searching');
  try {
    const main = api(`/api/v1/search?${params({ facets: plain })}`, { signal: controller.signal });
    const extra = selected.map((facet) =>
      api(`/api/v1/search?${params({ facets: [facet], without: facet, limit: 1 })}`, { signal: controller.signal })
        .then((page) => [facet, page.facets?.[facet] || []]));
    const [page, ...others] = await Promise.all([main, ...extra]);
    if (generation !== state.generation) return;
    state.items = page.items || [];
    state.total = page.total || 0;
    state.lowerBound = Boolean(page.totalIsLowerBound);
    state.next = page.next || null;
    for (const facet of plain) state.facets[facet] = page.facets?.[facet] || [];
    for (const [facet, counts] of others) state.facets[facet] = counts;
    state.loaded = true;
    renderFacets();
    renderResults();
    if (!performance.getEntriesByName('hoclieu:results').length) performance.mark('hoclieu:results');
  } catch (error) {
    if (error?.name === 'AbortError' || generation !== state.generation) return;
    $('#result-count', root).textContent = '';
    showErrorText(errorText(error));
  } finally {
    if (generation === state.generation) $('#results', root).removeAttribute('aria-busy');
  }
}

async function loadMore() {
  if (!state.next) return;
  const button = $('#load-more', root);
  const generation = state.generation;
  button.disabled = true;
  button.textContent = t('loading');
  const firstNew = state.items.length;
  try {
    const page = await api(`/api/v1/search?${params({ cursor: state.next })}`, { signal: state.controller?.signal });
    if (generation !== state.generation) return;
    state.items = state.items.concat(page.items || []);
    state.next = page.next || null;
    renderResults();
    // Focus the first new result so keyboard users continue where they were.
    root.querySelectorAll('#results > li')[firstNew]?.querySelector('a')?.focus();
    announce(t('shown', fmt(state.items.length)));
  } catch (error) {
    if (error?.name !== 'AbortError') showErrorText(errorText(error));
  } finally {
    button.disabled = false;
    button.textContent = t('loadMore');
  }
}

export function subjectName(code) {
  const name = named('subjects', code);
  return name !== code ? `${name} (${code})` : code;
}

function facetLabel(facet, value) {
  if (facet === 'subject') return subjectName(value);
  if (facet === 'grade') return t('gradeN', value);
  if (facet === 'kind') return named('kinds', value);
  return value;
}

function renderFacets() {
  for (const facet of FACETS) {
    const container = $(`[data-facet="${facet}"]`, root);
    const counts = new Map((state.facets[facet] || []).map((entry) => [String(entry.value), entry.count]));
    for (const value of state.filters[facet]) if (!counts.has(value)) counts.set(value, 0);
    const values = [...counts.keys()];
    if (facet === 'grade') values.sort((a, b) => Number(a) - Number(b));
    else if (facet === 'kind') values.sort((a, b) => KINDS.indexOf(a) - KINDS.indexOf(b));
    else values.sort((a, b) => counts.get(b) - counts.get(a) || a.localeCompare(b));
    container.closest('fieldset').hidden = !values.length && (facet === 'format' || facet === 'licence');
    if (!values.length) {
      container.replaceChildren(el('p', { class: 'hint', text: t('facetEmpty') }));
      continue;
    }
    container.replaceChildren(...values.map((value) => {
      const id = `f-${facet}-${value.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      const input = el('input', {
        type: 'checkbox', id, value, checked: state.filters[facet].has(value), dataset: { facet },
        onchange: (event) => {
          if (event.target.checked) state.filters[facet].add(value);
          else state.filters[facet].delete(value);
          runSearch();
        },
      });
      return el('div', { class: 'facet-option' }, input,
        el('label', { for: id }, el('span', { class: 'facet-name', text: facetLabel(facet, value) }), el('span', { class: 'facet-count', text: fmt(counts.get(value)) })));
    }));
  }
  $('#clear-filters', root).hidden = !FACETS.some((f) => state.filters[f].size > 0) && !units.length;
}

function renderResults() {
  const list = $('#results', root);
  $('#result-count', root).textContent = state.lowerBound ? t('resultsAbout', fmt(state.total)) : t('resultsExact', state.total, fmt(state.total));
  if (!state.items.length) list.replaceChildren(el('li', { class: 'empty', text: t('noResults') }));
  else list.replaceChildren(...state.items.map(renderMaterial));
  const more = $('#load-more', root);
  more.hidden = !state.next;
  more.textContent = t('loadMore');
}

/** Folds Vietnamese for matching: no diacritics, đ → d, lower case (both tone-placement styles fold alike). */
export function fold(text) {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}

/**
 * The server's highlight (escaped text with <mark> tags, `highlight.title` / `highlight.snippet`) as nodes: parsed
 * inertly, and only its text and <mark> elements are kept, so nothing else of it can reach the page.
 */
export function marked(html) {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  const parts = [];
  for (const node of doc.body.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent);
    else if (node.nodeName === 'MARK') parts.push(el('mark', { text: node.textContent }));
    else parts.push(node.textContent || '');
  }
  return parts;
}

/**
 * The text with the query's words marked (<mark>), matched without diacritics, the last word as a prefix: used
 * when the server sends no highlight.
 */
export function highlight(text, query) {
  const spans = [];
  {
    const words = fold(query).split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 2);
    if (!words.length) return [text];
    // NFD folding can change length; fold character by character to keep positions.
    const chars = [...text];
    const folded = chars.map((c) => fold(c));
    const positions = [];
    let flat = '';
    chars.forEach((c, i) => {
      for (let k = 0; k < folded[i].length; k += 1) positions.push(i);
      flat += folded[i];
    });
    const offsets = [];
    let at = 0;
    for (const c of chars) {
      offsets.push(at);
      at += c.length;
    }
    offsets.push(at);
    words.forEach((word, index) => {
      const last = index === words.length - 1;
      let from = 0;
      for (;;) {
        const found = flat.indexOf(word, from);
        if (found < 0) break;
        const before = found === 0 || !/[\p{L}\p{N}]/u.test(flat[found - 1]);
        const end = found + word.length;
        const after = end >= flat.length || !/[\p{L}\p{N}]/u.test(flat[end]);
        if (before && (after || last)) {
          let stop = end;
          if (last) while (stop < flat.length && /[\p{L}\p{N}]/u.test(flat[stop])) stop += 1;
          spans.push([offsets[positions[found]], offsets[positions[stop - 1] + 1]]);
        }
        from = end;
      }
    });
  }
  spans.sort((a, b) => a[0] - b[0]);
  const parts = [];
  let cursor = 0;
  for (const [start, end] of spans) {
    if (start < cursor || end <= start || end > text.length) continue;
    if (start > cursor) parts.push(text.slice(cursor, start));
    parts.push(el('mark', { text: text.slice(start, end) }));
    cursor = end;
  }
  if (cursor < text.length) parts.push(text.slice(cursor));
  return parts;
}

function renderMaterial(material) {
  const m = material.metadata || {};
  const pid = String(material.pid || '');
  const title = m.title || pid;
  const titleId = `r-${pid.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const subjects = (m.subjects || []).map(subjectName).join(', ');
  const grades = (m.grades || []).join(', ');
  const details = el('dl', { class: 'meta' },
    subjects ? metaItem(t('subjectsLabel'), subjects) : null,
    grades ? metaItem(t('gradesLabel'), grades) : null,
    metaItem(t('licenceLabel'), m.licence || t('noLicence')));
  const badges = el('p', { class: 'badges' },
    el('span', { class: `badge kind-${material.kind}` }, el('span', { class: 'visually-hidden', text: `${t('kindLabel')}: ` }), named('kinds', material.kind)),
    material.status && material.status !== 'published' ? el('span', { class: `badge status status-${material.status}`, text: named('statuses', material.status) }) : null);
  const hl = material.highlight || {};
  const description = m.description ? (m.description.length > 400 ? `${m.description.slice(0, 400)}…` : m.description) : '';
  const titleParts = typeof hl.title === 'string' && hl.title ? marked(hl.title) : highlight(title, state.q);
  const descriptionParts = typeof hl.snippet === 'string' && hl.snippet ? marked(hl.snippet) : highlight(description, state.q);
  return el('li', { class: 'result' },
    el('article', { 'aria-labelledby': titleId },
      badges,
      el('h3', { class: 'result-title', id: titleId }, el('a', { href: pidPath(pid) }, ...titleParts)),
      description ? el('p', { class: 'result-description' }, ...descriptionParts) : null,
      details,
      el('p', { class: 'pid-line' },
        el('a', { href: pidPath(pid), class: 'pid', text: pid, 'aria-label': `${t('pidLabel')} ${pid}` }),
        accessLink(material, title),
        previewButton(material, title))));
}

/** "Preview": asks the API for the address (signed when the material is not public) and opens it in a new tab. */
function previewButton(material, title) {
  const version = Number(material.currentVersion);
  if (material.kind === 'link' || !Number.isInteger(version) || version < 1) return null;
  const pid = encodeURIComponent(String(material.pid || ''));
  return el('button', {
    type: 'button', class: 'access preview', text: t('preview'), 'aria-label': `${t('preview')}: ${title}`,
    onclick: async () => {
      const tab = window.open('about:blank', '_blank');
      try {
        const answer = await api(`/api/v1/materials/${pid}/versions/${version}/preview`, { method: 'POST' });
        if (tab) {
          tab.opener = null;
          tab.location.replace(answer.url);
        } else window.location.assign(answer.url);
      } catch {
        if (tab) tab.close();
        announce(t('previewFailed'));
      }
    },
  });
}

/** "Download" for a material with a file, "Open link" for a link (http(s) only). */
function accessLink(material, title) {
  const pid = encodeURIComponent(String(material.pid || ''));
  if (material.kind === 'link' && typeof material.url === 'string' && /^https?:\/\//i.test(material.url)) {
    return el('a', { href: material.url, class: 'access', rel: 'noopener noreferrer', target: '_blank', text: t('openLink'), 'aria-label': `${t('openLink')}: ${title}` });
  }
  const version = Number(material.currentVersion);
  if (Number.isInteger(version) && version > 0) {
    return el('a', { href: `/api/v1/materials/${pid}/versions/${version}/file`, class: 'access', download: '', text: t('download'), 'aria-label': `${t('download')}: ${title}` });
  }
  return null;
}

/** Keeps the search in the address (?q=…&subject=…) so it can be shared and survives a reload. */
function syncUrl() {
  const p = new URLSearchParams();
  if (state.q.trim()) p.set('q', state.q.trim());
  for (const facet of FACETS) if (state.filters[facet].size) p.set(facet, [...state.filters[facet]].join(','));
  if (units.length) p.set('unit', units.join(','));
  const query = p.toString();
  const url = `${location.pathname}${query ? `?${query}` : ''}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
}

function readUrl() {
  const p = new URLSearchParams(location.search);
  state.q = p.get('q') || '';
  $('#q', root).value = state.q;
  for (const facet of FACETS) state.filters[facet] = new Set(splitList(p.get(facet) || ''));
  units = splitList(p.get('unit') || '');
}
