// The question bank: list and filter (subject, grade, unit, level, type, status) with a preview of each
// question, and the import of a question file (Moodle XML, GIFT, Aiken, Word .docx, QTI) with its report per
// question (imported, invalid, what each lost). API: GET /api/v1/questions, POST /api/v1/question-imports.

import { errorText, api, problemMessage, sendFile } from '../core/api.js';
import { $, announce, el, field, select, table, template } from '../core/dom.js';
import { fmt, formatBytes, lang, named, t } from '../core/i18n.js';
import { cataloguePicker, loadFrameworks, subjectLabel } from '../core/picker.js';
import { can, signedIn } from '../core/session.js';
import { bilingual, guard, statusBadge } from '../core/widgets.js';
import { mayEdit, openEditor } from './question-edit.js';

export const QUESTION_TYPES = ['singleChoice', 'multipleResponse', 'trueFalse', 'trueFalseCluster', 'numeric', 'shortText', 'essay', 'matching', 'ordering', 'cloze'];
export const LEVELS = ['BHV3.1', 'BHV3.2', 'BHV3.3', 'NTVV4.1', 'NTVV4.2', 'NTVV4.3', 'NTVV4.4'];

let root;
let picker;
let next = null;
let items = [];
let lastReport = null;

const MARKUP = `
  <h1 id="questions-heading" data-i18n="questionsHeading"></h1>
  <div id="questions-guard"></div>
  <div id="questions-body" hidden>
    <div class="tabs" role="tablist" aria-label="" data-i18n-aria-label="questionsHeading">
      <button type="button" role="tab" id="qtab-list" aria-controls="qpanel-list" aria-selected="true" data-i18n="qList"></button>
      <button type="button" role="tab" id="qtab-import" aria-controls="qpanel-import" aria-selected="false" tabindex="-1" data-i18n="qImport"></button>
    </div>
    <div id="qpanel-list" role="tabpanel" aria-labelledby="qtab-list">
      <form id="q-filters" class="toolbar"></form>
      <p id="q-count" class="result-count" aria-live="polite"></p>
      <div id="q-table"></div>
      <div class="load-more-row"><button type="button" id="q-more" class="button button-secondary" hidden data-i18n="loadMore"></button></div>
      <div id="q-editor"></div>
    </div>
    <div id="qpanel-import" role="tabpanel" aria-labelledby="qtab-import" hidden>
      <form id="q-import-form" class="card form" novalidate>
        <p class="hint" data-i18n="qImportIntro"></p>
        <div class="field"><label for="qi-file" data-i18n="qImportFile"></label>
          <input type="file" id="qi-file" accept=".xml,.gift,.txt,.docx,.zip,.aiken"></div>
        <div class="field-row">
          <div class="field"><label for="qi-subject" data-i18n="qSubjectDefault"></label><select id="qi-subject"></select></div>
          <div class="field"><label for="qi-title" data-i18n="qSetTitle"></label><input type="text" id="qi-title" maxlength="500"></div>
        </div>
        <div class="field"><input type="checkbox" id="qi-partial" checked> <label for="qi-partial" class="inline" data-i18n="qPartial"></label></div>
        <div class="field"><input type="checkbox" id="qi-submit"> <label for="qi-submit" class="inline" data-i18n="qSubmit"></label></div>
        <p id="qi-error" class="form-error" role="alert" hidden></p>
        <div class="progress-row" id="qi-progress-row" hidden><progress id="qi-progress" max="100" value="0" aria-labelledby="qi-progress-label"></progress><span id="qi-progress-label" class="percent"></span></div>
        <div class="actions"><button type="submit" id="qi-submit-button" class="button" data-i18n="qImportButton"></button></div>
      </form>
      <div id="qi-report" tabindex="-1"></div>
    </div>
  </div>`;

export async function render(section) {
  root = section;
  template(section, MARKUP);
  section.setAttribute('aria-labelledby', 'questions-heading');
  for (const tab of section.querySelectorAll('[role="tab"]')) {
    tab.addEventListener('click', () => selectTab(tab.id));
    tab.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
        const other = tab.id === 'qtab-list' ? 'qtab-import' : 'qtab-list';
        selectTab(other);
        $(`#${other}`, section).focus();
      }
    });
  }
  await buildFilters();
  $('#q-more', section).addEventListener('click', () => load(true));
  $('#q-import-form', section).addEventListener('submit', importFile);
}

function selectTab(id) {
  for (const tab of root.querySelectorAll('[role="tab"]')) {
    const on = tab.id === id;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`#${tab.getAttribute('aria-controls')}`, root).hidden = !on;
  }
}

export async function show() {
  if (guard($('#questions-guard', root), can('contribute'), signedIn(), 'questions')) {
    $('#questions-body', root).hidden = false;
    await load(false);
  } else $('#questions-body', root).hidden = true;
}

export const onSession = show;
export async function onLanguage() {
  await buildFilters();
  renderTable();
  renderReport();
}

async function buildFilters() {
  const form = $('#q-filters', root);
  const keep = Object.fromEntries([...form.querySelectorAll('select')].map((s) => [s.id, s.value]));
  let subjects = [];
  try {
    subjects = (await loadFrameworks()).map((f) => [f.subject.code, subjectLabel(f.subject)]);
  } catch {
    /* the list works without the subject names */
  }
  const any = ['', t('qAny')];
  const controls = [
    field('qf-subject', t('facet_subject'), select([any, ...subjects], keep['qf-subject'])),
    field('qf-grade', t('facet_grade'), select([any, ...Array.from({ length: 12 }, (_, i) => [String(i + 1), String(i + 1)])], keep['qf-grade'])),
    field('qf-type', t('qType'), select([any, ...QUESTION_TYPES.map((q) => [q, named('questionTypes', q)])], keep['qf-type'])),
    field('qf-level', t('qLevel'), select([any, ...LEVELS.map((l) => [l, `${l} ${named('levels', l)}`])], keep['qf-level'])),
    field('qf-status', t('qStatus'), select([any, ...['draft', 'under_review', 'published', 'rejected'].map((s) => [s, named('statuses', s)])], keep['qf-status'])),
  ];
  const chosen = picker ? picker.value() : [];
  picker = cataloguePicker({ id: 'qf-unit', label: t('qUnit'), single: true, onChange: () => load(false) });
  picker.set(chosen);
  form.replaceChildren(...controls, el('div', { class: 'field picker-field' }, picker.node));
  for (const s of form.querySelectorAll('select')) s.addEventListener('change', () => load(false));
  form.onsubmit = (event) => event.preventDefault();
  const subject = $('#qi-subject', root);
  const subjectValue = subject.value;
  subject.replaceChildren(...[['', t('qFromFile')], ...subjects].map(([v, text]) => el('option', { value: v, text })));
  subject.value = subjectValue;
}

async function load(more) {
  const p = new URLSearchParams({ limit: '50' });
  for (const [id, name] of [['qf-subject', 'subject'], ['qf-grade', 'grade'], ['qf-type', 'type'], ['qf-level', 'level'], ['qf-status', 'status']]) {
    const value = $(`#${id}`, root)?.value;
    if (value) p.set(name, value);
  }
  const unit = picker?.value()[0];
  if (unit) p.set('unit', unit);
  if (more && next) p.set('cursor', next);
  $('#q-count', root).textContent = t('loading');
  try {
    const page = await api(`/api/v1/questions?${p}`);
    items = more ? items.concat(page.items || []) : page.items || [];
    next = page.next || null;
    renderTable();
  } catch (error) {
    $('#q-count', root).textContent = errorText(error);
  }
}

/** The stem as text (the bank stores sanitised HTML; here it is read as text, formulas as written). */
function stemText(question) {
  const html = question.stem?.html || question.stem?.text || '';
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const text = doc.body.textContent.trim();
  return text.length > 220 ? `${text.slice(0, 220)}…` : text;
}

function renderTable() {
  $('#q-count', root).textContent = t('qCount', fmt(items.length), Boolean(next));
  const rows = items.map((q) => [
    el('span', {}, el('span', { class: 'pid', text: q.id }), el('br'), q.title || ''),
    el('span', { class: 'question-stem', text: stemText(q) }),
    named('questionTypes', q.body?.type || ''),
    q.cognitiveLevel ? `${q.cognitiveLevel.level} ${named('levels', q.cognitiveLevel.level)}` : t('none'),
    (q.knowledgeUnits || []).join(', ') || t('none'),
    statusBadge(q.status),
    mayEdit(q)
      ? el('button', { type: 'button', class: 'button button-secondary q-edit', dataset: { id: q.id }, text: t('qeEdit'), 'aria-label': t('qeEditLabel', q.id), onclick: () => editQuestion(q.id) })
      : '',
  ]);
  $('#q-table', root).replaceChildren(rows.length
    ? table(t('qTableCaption'), [t('qTitle'), t('qStem'), t('qType'), t('qLevel'), t('qUnit'), t('qStatus'), t('qeActions')], rows)
    : el('p', { class: 'hint', text: t('qEmpty') }));
  $('#q-more', root).hidden = !next;
  // The first list shown with its data: the page's "results" time (read by the browser tests' timing).
  if (!performance.getEntriesByName('hoclieu:results').length) performance.mark('hoclieu:results');
}

/** Opens the editor on the question's current version (read afresh: the list may be older than the bank). */
async function editQuestion(id) {
  const box = $('#q-editor', root);
  try {
    const question = await api(`/api/v1/questions/${encodeURIComponent(id)}`);
    openEditor(box, question, {
      onSaved: (saved) => {
        items = items.map((q) => (q.id === saved.id ? saved : q));
        renderTable();
        root.querySelector(`.q-edit[data-id="${CSS.escape(saved.id)}"]`)?.focus();
      },
      onClose: () => root.querySelector(`.q-edit[data-id="${CSS.escape(id)}"]`)?.focus(),
    });
  } catch (error) {
    box.replaceChildren(el('p', { class: 'form-error', role: 'alert', text: errorText(error) }));
  }
}

async function importFile(event) {
  event.preventDefault();
  const errorBox = $('#qi-error', root);
  errorBox.hidden = true;
  const file = $('#qi-file', root).files[0];
  if (!file) {
    errorBox.textContent = t('qNoFile');
    errorBox.hidden = false;
    $('#qi-file', root).focus();
    return;
  }
  const p = new URLSearchParams({ filename: file.name });
  if ($('#qi-partial', root).checked) p.set('partial', 'true');
  if ($('#qi-subject', root).value) p.set('subject', $('#qi-subject', root).value);
  if ($('#qi-submit', root).checked) {
    p.set('submit', 'true');
    if ($('#qi-title', root).value.trim()) p.set('title', $('#qi-title', root).value.trim());
  }
  const button = $('#qi-submit-button', root);
  button.disabled = true;
  $('#qi-progress-row', root).hidden = false;
  const onProgress = (loaded, total) => {
    const value = Math.floor((loaded / total) * 100);
    $('#qi-progress', root).value = value;
    $('#qi-progress-label', root).textContent = `${value}% (${formatBytes(loaded)})`;
  };
  try {
    const { status, data } = await sendFile(`/api/v1/question-imports?${p}`, file, { onProgress, contentType: 'application/octet-stream' }).promise;
    if (data?.report) {
      lastReport = data;
      renderReport();
      announce(t('qImported', data.created || 0, data.updated || 0, data.unchanged || 0));
      $('#qi-report', root).focus();
      load(false);
    } else {
      errorBox.textContent = problemMessage(data, status);
      errorBox.hidden = false;
    }
  } catch (error) {
    errorBox.textContent = errorText(error);
    errorBox.hidden = false;
  } finally {
    button.disabled = false;
  }
}

function renderReport() {
  const data = lastReport;
  const box = $('#qi-report', root);
  if (!data) return;
  const report = data.report || {};
  const entries = report.entries || [];
  const messages = (list) => el('ul', { class: 'warnings' }, ...list.map((m) => el('li', { text: bilingual(m, lang) })));
  const rows = entries.map((e) => [
    String(e.number),
    e.title || '',
    `${e.sourceType || ''} → ${named('questionTypes', e.type || '')}`,
    el('span', { class: e.outcome === 'invalid' ? 'fidelity-lost' : '' , text: named('outcomes', e.outcome) }),
    (e.errors?.length || e.warnings?.length)
      ? el('div', {}, e.errors?.length ? messages(e.errors) : null, e.warnings?.length ? messages(e.warnings) : null)
      : t('qNoLoss'),
  ]);
  box.replaceChildren(
    el('div', { class: 'card success' },
      el('h2', { text: t('qReportHeading', data.fileName || '') }),
      el('p', { text: t('qImported', data.created || 0, data.updated || 0, data.unchanged || 0) }),
      data.refused ? el('p', { class: 'form-error', text: t('qRefused') }) : null,
      data.submission ? el('p', { text: t('submittedForReview', data.submission.id ?? '') }) : null,
      (report.fileErrors || []).length ? messages(report.fileErrors) : null,
      (report.fileWarnings || []).length ? messages(report.fileWarnings) : null),
    table(t('qReportCaption'), ['#', t('qTitle'), t('qType'), t('qOutcome'), t('qFidelity')], rows));
}
