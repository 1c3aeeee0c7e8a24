// DOM helpers. Every piece of data from the server goes on the page with textContent or DOM
// properties (never innerHTML), so a title such as "<img onerror=…>" stays text. Static
// templates of the screens (no data in them) are the only markup parsed from strings.

import { applyI18n, t } from './i18n.js';

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** Builds an element; children are nodes or strings (strings become text nodes). */
export function el(tag, props = {}, ...children) {
  const node = tag === 'svg' || props.svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false || key === 'svg') continue;
    if (key === 'class') node.setAttribute('class', value);
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== 'string' && !(node instanceof SVGElement)) node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** An SVG element (for the reports' charts). */
export function svg(tag, props = {}, ...children) {
  return el(tag, { ...props, svg: true }, ...children);
}

/** Fills `root` with a static template (no server data in it) and translates it. */
export function template(root, markup) {
  root.innerHTML = markup;
  applyI18n(root);
  return root;
}

let statusTimer = 0;

/** Says `text` in the polite live region (and shows it briefly). */
export function announce(text) {
  const status = $('#status');
  if (!status) return;
  clearTimeout(statusTimer);
  status.textContent = text;
  statusTimer = setTimeout(() => {
    if (status.textContent === text) status.textContent = '';
  }, 8000);
}

/** Shows an error text in the page-wide alert region. */
export function showErrorText(text) {
  const box = $('#error');
  box.replaceChildren(el('span', { text }), el('button', { type: 'button', class: 'link-button', text: t('close'), onclick: clearError }));
  box.hidden = false;
}

export function clearError() {
  const box = $('#error');
  box.hidden = true;
  box.replaceChildren();
}

export function showFormError(box, text) {
  box.textContent = text;
  box.hidden = false;
}

export function hideFormError(box) {
  box.hidden = true;
  box.textContent = '';
}

/** A term and its value for a <dl> (dt and dd directly in the list, as every checker expects). */
export function metaItem(label, value) {
  const pair = document.createDocumentFragment();
  pair.append(el('dt', { text: label }), el('dd', {}, value));
  return pair;
}

/** A labelled form field: label + control (+ hint), ids wired for screen readers. */
export function field(id, label, control, hint) {
  control.id = id;
  const children = [el('label', { for: id, text: label }), control];
  if (hint) {
    const hintID = `${id}-hint`;
    control.setAttribute('aria-describedby', hintID);
    children.push(el('p', { id: hintID, class: 'hint', text: hint }));
  }
  return el('div', { class: 'field' }, ...children);
}

/** A <select> with [value, text] options. */
export function select(options, value) {
  const node = el('select', {}, ...options.map(([v, text]) => el('option', { value: v, text })));
  if (value !== undefined) node.value = value;
  return node;
}

/**
 * A table with a caption, header row and body rows (cells are nodes or strings). With the class `stack-narrow` (the
 * default for more than four columns, which a 360 px phone cannot show side by side) its rows become cards on a
 * phone, each cell under its column's name (`data-label`), instead of columns a word wide.
 */
export function table(caption, headers, rows, className = headers.length > 4 ? 'data stack-narrow' : 'data') {
  const label = (i) => (headers[i] ? { 'data-label': headers[i] } : {});
  return el('div', { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: '0' },
    el('table', { class: className },
      el('caption', { text: caption }),
      el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, ...rows.map((row) => el('tr', {}, ...row.map((cell, i) => (i === 0 ? el('th', { scope: 'row', ...label(i) }, cell) : el('td', label(i), cell))))))));
}

/** A PID as it may appear in a path. */
export function pidPath(pid) {
  return `/id/${encodeURIComponent(pid)}`;
}

export function splitList(text) {
  const seen = new Set();
  return text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter((s) => s && !seen.has(s) && seen.add(s));
}
