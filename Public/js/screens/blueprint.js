// The blueprint builder (ma trận đề): rows are knowledge units chosen in the catalogue picker, columns the
// levels of the chosen framework; every change is checked against the bank at once (the cells the bank cannot
// fill are marked with what is short). Then a test is assembled with its variants (mã đề) and each variant is
// downloaded as a Word paper. API: POST /api/v1/blueprints, POST /api/v1/blueprints/{id}/check,
// POST /api/v1/blueprints/{id}/tests, GET /api/v1/tests/{id}/variants/{code}?format=docx, …/answer-key.csv.

import { api, download, errorText } from '../core/api.js';
import { $, announce, el, field, select, template } from '../core/dom.js';
import { fmt, lang, named, t } from '../core/i18n.js';
import { cataloguePicker, loadFrameworks, subjectLabel } from '../core/picker.js';
import { can, signedIn } from '../core/session.js';
import { bilingual, guard } from '../core/widgets.js';
import { QUESTION_TYPES } from './questions.js';

const FRAMEWORKS = { BHV3: ['BHV3.1', 'BHV3.2', 'BHV3.3'], NTVV4: ['NTVV4.1', 'NTVV4.2', 'NTVV4.3', 'NTVV4.4'] };

let root;

/** A level code as an id part (`BHV3.1` → `BHV3_1`). */
const safe = (code) => code.replace(/[^A-Za-z0-9_-]/g, '_');
const state = { rows: [], points: {}, blueprintID: null, check: null, test: null, testID: null, generation: 0 };
let checkTimer = 0;
let rowSerial = 0;

const MARKUP = `
  <h1 id="blueprint-heading" data-i18n="blueprintHeading"></h1>
  <div id="bp-guard"></div>
  <div id="bp-body" hidden>
    <p class="hint" data-i18n="bpIntro"></p>
    <form id="bp-form" class="card form" novalidate>
      <div class="field-row" id="bp-head"></div>
      <div id="bp-matrix"></div>
      <p class="actions"><button type="button" id="bp-add-row" class="button button-secondary" data-i18n="bpAddRow"></button></p>
      <div id="bp-check" aria-live="polite"></div>
    </form>
    <form id="bp-assemble" class="card form" novalidate>
      <h2 data-i18n="bpAssembleHeading"></h2>
      <div class="field-row">
        <div class="field"><label for="bp-variants" data-i18n="bpVariants"></label><input type="number" id="bp-variants" min="1" max="24" value="2"></div>
        <div class="field"><label for="bp-seed" data-i18n="bpSeed"></label><input type="number" id="bp-seed" min="0" value="2025"></div>
      </div>
      <div class="field"><input type="checkbox" id="bp-partial"> <label for="bp-partial" class="inline" data-i18n="bpPartial"></label></div>
      <p id="bp-error" class="form-error" role="alert" hidden></p>
      <div class="actions"><button type="submit" id="bp-assemble-button" class="button" data-i18n="bpAssemble"></button></div>
      <div id="bp-test" tabindex="-1"></div>
    </form>
  </div>`;

export async function render(section) {
  root = section;
  template(section, MARKUP);
  section.setAttribute('aria-labelledby', 'blueprint-heading');
  await buildHead();
  addRow();
  $('#bp-add-row', section).addEventListener('click', () => {
    addRow();
    state.rows[state.rows.length - 1].picker.focus();
  });
  $('#bp-assemble', section).addEventListener('submit', assemble);
}

export function show() {
  const ok = guard($('#bp-guard', root), can('contribute'), signedIn(), 'blueprint');
  $('#bp-body', root).hidden = !ok;
}

export const onSession = show;
export async function onLanguage() {
  await buildHead();
  renderMatrix();
  renderCheck();
  renderTest();
}

function framework() {
  return $('#bp-framework', root)?.value || 'BHV3';
}

async function buildHead() {
  const head = $('#bp-head', root);
  const keep = Object.fromEntries([...head.querySelectorAll('input,select')].map((n) => [n.id, n.value]));
  let subjects = [];
  try {
    subjects = (await loadFrameworks()).map((f) => [f.subject.code, subjectLabel(f.subject)]);
  } catch {
    subjects = [['TOAN', named('subjects', 'TOAN')]];
  }
  const title = el('input', { type: 'text', maxlength: '300', value: keep['bp-title'] ?? t('bpDefaultTitle') });
  const total = el('input', { type: 'text', readonly: true, value: '0' });
  head.replaceChildren(
    field('bp-title', t('bpTitle'), title),
    field('bp-subject', t('facet_subject'), select(subjects, keep['bp-subject'] ?? 'TOAN')),
    field('bp-grade', t('facet_grade'), select(Array.from({ length: 12 }, (_, i) => [String(i + 1), String(i + 1)]), keep['bp-grade'] ?? '6')),
    field('bp-framework', t('bpFramework'), select(Object.keys(FRAMEWORKS).map((f) => [f, named('frameworks', f)]), keep['bp-framework'] ?? 'BHV3')),
    field('bp-type', t('qType'), select(QUESTION_TYPES.slice(0, 7).map((q) => [q, named('questionTypes', q)]), keep['bp-type'] ?? 'singleChoice')),
    field('bp-total', t('bpTotal'), total, t('bpTotalHint')));
  for (const node of head.querySelectorAll('input,select')) {
    node.addEventListener('change', () => {
      if (node.id === 'bp-framework') renderMatrix();
      scheduleCheck();
    });
  }
}

function addRow() {
  rowSerial += 1;
  const row = { key: rowSerial, code: '', label: '', counts: {} };
  row.picker = cataloguePicker({
    id: `bp-row-${row.key}`, label: t('bpRowUnit', state.rows.length + 1), single: true,
    onChange: (codes) => {
      row.code = codes[0] || '';
      const chip = row.picker.node.querySelector('.chip span:not(.chip-code)');
      row.label = chip?.textContent || row.code;
      scheduleCheck();
    },
  });
  state.rows.push(row);
  renderMatrix();
}

function renderMatrix() {
  const levels = FRAMEWORKS[framework()];
  const caption = el('caption', { text: t('bpMatrixCaption') });
  const headRow = el('tr', {}, el('th', { scope: 'col', text: t('bpUnitColumn') }),
    ...levels.map((l) => el('th', { scope: 'col', text: `${l} ${named('levels', l)}` })), el('th', { scope: 'col', text: t('bpRowTotal') }));
  const pointsRow = el('tr', {}, el('th', { scope: 'row', text: t('bpPointsPerQuestion') }),
    ...levels.map((l) => {
      const input = el('input', { type: 'number', min: '0', step: '0.05', value: String(state.points[l] ?? 0.25), id: `bp-points-${safe(l)}`, 'aria-label': t('bpPointsFor', l) });
      input.addEventListener('input', () => {
        state.points[l] = Number(input.value);
        scheduleCheck();
      });
      return el('td', {}, input);
    }), el('td'));
  const body = state.rows.map((row, index) => el('tr', { dataset: { row: String(index) } },
    el('th', { scope: 'row', class: 'unit-cell' }, row.picker.node,
      state.rows.length > 1 ? el('button', { type: 'button', class: 'link-button', text: t('bpRemoveRow'), onclick: () => {
        state.rows.splice(index, 1);
        renderMatrix();
        scheduleCheck();
      } }) : null),
    ...levels.map((level) => {
      const input = el('input', {
        type: 'number', min: '0', max: '200', step: '1', value: String(row.counts[level] ?? 0), id: `bp-cell-${index}-${safe(level)}`,
        'aria-label': t('bpCellLabel', index + 1, level), dataset: { level },
      });
      input.addEventListener('input', () => {
        row.counts[level] = Math.max(0, Math.floor(Number(input.value) || 0));
        updateTotals();
        scheduleCheck();
      });
      return el('td', { class: 'matrix-cell', id: `bp-td-${index}-${safe(level)}` }, input, el('span', { class: 'shortfall', id: `bp-short-${index}-${safe(level)}` }));
    }),
    el('td', { class: 'row-total', id: `bp-total-${index}` })));
  const tableNode = el('table', { class: 'data matrix' }, caption, el('thead', {}, headRow), el('tbody', {}, pointsRow, ...body));
  $('#bp-matrix', root).replaceChildren(el('div', { class: 'table-wrap', role: 'region', 'aria-label': t('bpMatrixCaption'), tabindex: '0' }, tableNode));
  updateTotals();
  renderCheck();
}

/** The points the matrix plans: the sum of its cells (the blueprint's total must equal it). */
function plannedPoints() {
  const levels = FRAMEWORKS[framework()];
  const sum = state.rows.filter((r) => r.code).reduce((total, row) => total + levels.reduce((s, l) => s + (row.counts[l] || 0) * (state.points[l] ?? 0.25), 0), 0);
  return Math.round(sum * 1000) / 1000;
}

function updateTotals() {
  const totalBox = $('#bp-total', root);
  if (totalBox) totalBox.value = fmt(plannedPoints());
  const levels = FRAMEWORKS[framework()];
  state.rows.forEach((row, index) => {
    const count = levels.reduce((sum, l) => sum + (row.counts[l] || 0), 0);
    const points = levels.reduce((sum, l) => sum + (row.counts[l] || 0) * (state.points[l] ?? 0.25), 0);
    const cell = $(`#bp-total-${index}`, root);
    if (cell) cell.textContent = t('bpRowSum', fmt(count), fmt(Math.round(points * 100) / 100));
  });
}

function blueprintBody() {
  const levels = FRAMEWORKS[framework()];
  const type = $('#bp-type', root).value;
  return {
    title: $('#bp-title', root).value.trim() || t('bpDefaultTitle'),
    subject: $('#bp-subject', root).value,
    grade: Number($('#bp-grade', root).value),
    framework: framework(),
    questionTypes: [type],
    totalPoints: plannedPoints(),
    rows: state.rows.filter((r) => r.code).map((r) => ({
      code: r.code, label: r.label || r.code, requirements: [],
      cells: levels.filter((l) => (r.counts[l] || 0) > 0).map((l) => ({ level: l, type, count: r.counts[l], pointsPerQuestion: state.points[l] ?? 0.25 })),
    })),
  };
}

function scheduleCheck() {
  clearTimeout(checkTimer);
  state.blueprintID = null;
  checkTimer = setTimeout(runCheck, 400);
}

/** Stores the blueprint as it stands and asks the bank which cells it can fill. */
async function runCheck() {
  const body = blueprintBody();
  const generation = ++state.generation;
  if (!body.rows.length || !body.rows.some((r) => r.cells.length)) {
    state.check = null;
    $('#bp-check', root).replaceChildren(el('p', { class: 'hint', text: t('bpNeedRows') }));
    return;
  }
  $('#bp-check', root).dataset.state = 'checking';
  try {
    const created = await api('/api/v1/blueprints', { method: 'POST', body });
    const check = await api(`/api/v1/blueprints/${encodeURIComponent(created.id)}/check`, { method: 'POST' });
    if (generation !== state.generation) return;
    state.blueprintID = created.id;
    state.check = check;
    renderCheck();
  } catch (error) {
    if (generation !== state.generation) return;
    state.check = null;
    renderCheck();
    $('#bp-check', root).replaceChildren(el('p', { class: 'form-error', text: errorText(error) }));
    $('#bp-check', root).dataset.state = 'invalid';
  }
}

function renderCheck() {
  const levels = FRAMEWORKS[framework()];
  const check = state.check;
  state.rows.forEach((row, index) => {
    for (const level of levels) {
      const td = $(`#bp-td-${index}-${safe(level)}`, root);
      const note = $(`#bp-short-${index}-${safe(level)}`, root);
      if (!td || !note) continue;
      td.classList.remove('cell-short', 'cell-ok');
      note.textContent = '';
      const cell = check?.cells?.find((c) => c.rowCode === row.code && c.level === level);
      if (!cell) continue;
      const short = Math.max(0, cell.required - cell.available);
      td.classList.add(short ? 'cell-short' : 'cell-ok');
      note.textContent = short ? t('bpShort', fmt(cell.available), fmt(short)) : t('bpAvailable', fmt(cell.available));
    }
  });
  const box = $('#bp-check', root);
  if (!check) return;
  const totalShort = (check.cells || []).reduce((s, c) => s + Math.max(0, c.required - c.available), 0);
  box.dataset.state = totalShort ? 'short' : 'ok';
  box.dataset.short = String(totalShort);
  box.replaceChildren(
    el('p', { class: totalShort ? 'form-error' : 'hint', text: totalShort ? t('bpTotalShort', fmt(totalShort)) : t('bpAllFilled') }),
    ...(check.issues || []).map((issue) => el('p', { class: issue.severity === 'error' ? 'form-error' : 'hint', text: bilingual(issue, lang) || String(issue.kind || '') })));
}

async function assemble(event) {
  event.preventDefault();
  const errorBox = $('#bp-error', root);
  errorBox.hidden = true;
  clearTimeout(checkTimer);
  if (!state.blueprintID) await runCheck();
  if (!state.blueprintID) {
    errorBox.textContent = t('bpNeedRows');
    errorBox.hidden = false;
    return;
  }
  const button = $('#bp-assemble-button', root);
  button.disabled = true;
  try {
    const body = { variants: Number($('#bp-variants', root).value) || 1, seed: Number($('#bp-seed', root).value) || 0, allowPartial: $('#bp-partial', root).checked };
    const answer = await api(`/api/v1/blueprints/${encodeURIComponent(state.blueprintID)}/tests`, { method: 'POST', body });
    state.test = answer.test;
    state.testID = answer.id;
    renderTest();
    announce(t('bpAssembled', (answer.test?.variants || []).length));
    $('#bp-test', root).focus();
  } catch (error) {
    errorBox.textContent = errorText(error);
    errorBox.hidden = false;
  } finally {
    button.disabled = false;
  }
}

function renderTest() {
  const test = state.test;
  if (!test) return;
  const id = encodeURIComponent(state.testID);
  const save = (path, name) => async (event) => {
    event.target.disabled = true;
    try {
      const bytes = await download(path, name);
      announce(t('bpDownloaded', name, fmt(bytes)));
      event.target.dataset.bytes = String(bytes);
    } catch (error) {
      announce(errorText(error));
    } finally {
      event.target.disabled = false;
    }
  };
  const selection = test.selection || {};
  $('#bp-test', root).replaceChildren(
    el('h3', { text: t('bpTestHeading', state.testID) }),
    el('p', { text: t('bpTestSummary', fmt((selection.items || []).length), fmt(selection.totalPoints ?? 0)) }),
    el('ul', { class: 'variants' }, ...(test.variants || []).map((v) => el('li', {},
      el('strong', { text: t('bpVariant', v.code) }), ' ',
      el('button', { type: 'button', class: 'button button-small variant-docx', dataset: { code: String(v.code) }, text: t('bpDocx'), onclick: save(`/api/v1/tests/${id}/variants/${v.code}?format=docx`, `de-${v.code}.docx`) }), ' ',
      el('button', { type: 'button', class: 'button button-secondary button-small', text: t('bpDocxAnswers'), onclick: save(`/api/v1/tests/${id}/variants/${v.code}?format=docx&answers=true`, `de-${v.code}-dap-an.docx`) })))),
    el('p', {}, el('button', { type: 'button', class: 'button button-secondary', text: t('bpAnswerKey'), onclick: save(`/api/v1/tests/${id}/answer-key.csv`, `dap-an-${state.testID}.csv`) })));
}
