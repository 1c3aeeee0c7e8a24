// The catalogue picker: type-ahead over the knowledge units (with or without diacritics: GET
// /api/v1/catalog/search?q=…) and a browse path môn → lớp → chủ đề → bài → yêu cầu cần đạt (GET
// /api/v1/catalog/frameworks, /api/v1/catalog/items/{code}) with counts of materials and questions.
// The chosen units are chips; `onChange(codes)` is told every change.

import { api, errorText } from './api.js';
import { el } from './dom.js';
import { fmt, lang, named, t } from './i18n.js';

let frameworks = null;

export async function loadFrameworks() {
  if (!frameworks) frameworks = (await api('/api/v1/catalog/frameworks')).items || [];
  return frameworks;
}

export function subjectLabel(subject) {
  return lang === 'en' ? subject.nameEN || subject.name : subject.name;
}

/**
 * Builds a picker. `id` prefixes the element ids; `single` keeps one unit only.
 * Returns { node, value(), set(codes), focus() }.
 */
export function cataloguePicker({ id, label, onChange = () => {}, single = false }) {
  const chosen = new Map(); // code -> statement
  let active = -1;
  let results = [];
  let timer = 0;
  let generation = 0;

  const input = el('input', {
    type: 'text', id: `${id}-q`, autocomplete: 'off', role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false',
    'aria-controls': `${id}-list`, 'aria-describedby': `${id}-hint`, spellcheck: 'false',
  });
  const list = el('ul', { id: `${id}-list`, role: 'listbox', class: 'picker-list', hidden: true, 'aria-label': label });
  const chips = el('ul', { class: 'chips', id: `${id}-chips`, 'aria-label': t('pickerChosen') });
  const browse = el('div', { class: 'picker-browse', id: `${id}-browse`, hidden: true });
  const browseButton = el('button', {
    type: 'button', class: 'button button-secondary', id: `${id}-browse-button`, text: t('pickerBrowse'), 'aria-expanded': 'false', 'aria-controls': `${id}-browse`,
    onclick: () => toggleBrowse(),
  });
  const liveCount = el('p', { class: 'visually-hidden', 'aria-live': 'polite' });

  function emit() {
    renderChips();
    onChange([...chosen.keys()]);
  }

  function add(code, statement) {
    if (single) chosen.clear();
    chosen.set(code, statement);
    emit();
  }

  function renderChips() {
    chips.replaceChildren(...[...chosen].map(([code, statement]) => el('li', { class: 'chip', dataset: { code } },
      el('span', { class: 'chip-code', text: code }), ' ', el('span', { text: statement || '' }),
      el('button', {
        type: 'button', class: 'chip-remove', 'aria-label': t('pickerRemove', code), text: '×',
        onclick: () => {
          chosen.delete(code);
          emit();
          input.focus();
        },
      }))));
    chips.hidden = !chosen.size;
  }

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function mark(index) {
    active = index;
    [...list.children].forEach((item, i) => item.setAttribute('aria-selected', String(i === index)));
    if (index >= 0 && list.children[index]) {
      input.setAttribute('aria-activedescendant', list.children[index].id);
      list.children[index].scrollIntoView({ block: 'nearest' });
    }
  }

  function pick(index) {
    const item = results[index];
    if (!item) return;
    add(item.code, item.statement);
    input.value = '';
    close();
  }

  async function query() {
    const q = input.value.trim();
    const mine = ++generation;
    if (q.length < 2) {
      close();
      return;
    }
    try {
      const answer = await api(`/api/v1/catalog/search?${new URLSearchParams({ q, limit: '12' })}`);
      if (mine !== generation) return;
      results = answer.items || [];
      list.replaceChildren(...results.map((item, i) => el('li', {
        id: `${id}-opt-${i}`, role: 'option', class: 'picker-option', 'aria-selected': 'false', dataset: { code: item.code },
        onmousedown: (event) => event.preventDefault(),
        onclick: () => pick(i),
      }, el('span', { class: 'chip-code', text: item.code }), ' ', el('span', { text: item.statement }),
      item.grade ? el('span', { class: 'hint', text: ` · ${t('gradeN', item.grade)}` }) : null)));
      if (!results.length) list.replaceChildren(el('li', { class: 'picker-empty', role: 'option', 'aria-disabled': 'true', text: t('pickerNone') }));
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      liveCount.textContent = t('pickerCount', results.length);
      mark(-1);
    } catch (error) {
      liveCount.textContent = errorText(error);
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(query, 180);
  });
  input.addEventListener('keydown', (event) => {
    if (list.hidden) {
      if (event.key === 'ArrowDown' && input.value.trim().length >= 2) query();
      return;
    }
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      mark(Math.min(results.length - 1, active + 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      mark(Math.max(0, active - 1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      pick(active >= 0 ? active : 0);
    } else if (event.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));

  // Browse: subject → grade → the tree below, one level at a time, with counts.
  const path = [];

  async function toggleBrowse() {
    const open = browse.hidden;
    browse.hidden = !open;
    browseButton.setAttribute('aria-expanded', String(open));
    if (open) await renderBrowse();
  }

  async function renderBrowse() {
    browse.replaceChildren(el('p', { class: 'hint', text: t('loading') }));
    try {
      const crumbs = el('ol', { class: 'crumbs', 'aria-label': t('pickerPath') },
        el('li', {}, el('button', { type: 'button', class: 'link-button', text: t('pickerSubjects'), onclick: () => { path.length = 0; renderBrowse(); } })),
        ...path.map((step, i) => el('li', {}, el('button', {
          type: 'button', class: 'link-button', text: step.label, 'aria-current': i === path.length - 1 ? 'step' : null,
          onclick: () => { path.length = i + 1; renderBrowse(); },
        }))));
      let rows = [];
      if (!path.length) {
        const all = await loadFrameworks();
        rows = all.map((f) => ({ label: subjectLabel(f.subject), detail: t('pickerItems', fmt(f.items)), open: { kind: 'subject', code: f.subject.code, grades: f.subject.grades, label: subjectLabel(f.subject) } }));
      } else {
        const last = path[path.length - 1];
        if (last.kind === 'subject') {
          rows = (last.grades || []).map((g) => ({ label: t('gradeN', g), open: { kind: 'item', code: `${last.code}.${g}`, label: t('gradeN', g) } }));
        } else {
          const item = await api(`/api/v1/catalog/items/${encodeURIComponent(last.code)}`);
          if (item.counts) rows.push({ info: t('pickerCounts', fmt(item.counts.materials ?? 0), fmt(item.counts.questions ?? 0)) });
          if (item.type !== 'grade') rows.push({ pick: { code: item.code, statement: item.statement } });
          for (const child of item.children || []) {
            rows.push({
              label: child.statement, code: child.code, type: child.type,
              open: child.type === 'outcome' ? null : { kind: 'item', code: child.code, label: child.statement },
              pick: { code: child.code, statement: child.statement },
            });
          }
        }
      }
      const ul = el('ul', { class: 'browse-list' }, ...rows.map((row) => {
        if (row.info) return el('li', { class: 'hint', text: row.info });
        if (!row.label && row.pick) {
          return el('li', {}, el('button', { type: 'button', class: 'button button-secondary', text: t('pickerChooseThis', row.pick.code), onclick: () => add(row.pick.code, row.pick.statement) }));
        }
        return el('li', { class: 'browse-row' },
          row.open
            ? el('button', { type: 'button', class: 'link-button browse-open', onclick: () => { path.push(row.open); renderBrowse(); } },
              row.code ? el('span', { class: 'chip-code', text: row.code }) : null, row.code ? ' ' : null, row.label)
            : el('span', {}, row.code ? el('span', { class: 'chip-code', text: row.code }) : null, ' ', row.label),
          row.type ? el('span', { class: 'hint', text: ` ${named('unitTypes', row.type)}` }) : null,
          row.detail ? el('span', { class: 'hint', text: ` ${row.detail}` }) : null,
          row.pick ? el('button', { type: 'button', class: 'button button-small', text: t('pickerAdd'), 'aria-label': t('pickerAddNamed', row.pick.code), onclick: () => add(row.pick.code, row.pick.statement) }) : null);
      }));
      browse.replaceChildren(crumbs, ul);
    } catch (error) {
      browse.replaceChildren(el('p', { class: 'form-error', text: errorText(error) }));
    }
  }

  const node = el('div', { class: 'picker', id },
    el('label', { for: `${id}-q`, text: label }),
    el('div', { class: 'picker-row' }, el('div', { class: 'picker-combo' }, input, list), browseButton),
    el('p', { id: `${id}-hint`, class: 'hint', text: t('pickerHint') }),
    liveCount, chips, browse);
  renderChips();
  return {
    node,
    value: () => [...chosen.keys()],
    set(codes) {
      chosen.clear();
      for (const code of codes) chosen.set(code, '');
      renderChips();
    },
    focus: () => input.focus(),
  };
}
