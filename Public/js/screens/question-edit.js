// Editing a question of the bank, with a live preview of its maths. API: PUT /api/v1/questions/{id} with
// `If-Match: "v{version}"` (the version the form was opened on: someone else's edit in between is a 412, and
// the form offers to reload). Saving makes the question's next version; tests keep the versions they pinned.
//
// The stem, options and statements are rich text (HTML, LaTeX between \( \), \[ \], $ $); each has a preview
// beside it that follows the typing: core/mathml.js turns the LaTeX into MathML, which the browser renders.

import { api, errorText } from '../core/api.js';
import { announce, el, field, select } from '../core/dom.js';
import { named, t } from '../core/i18n.js';
import { richPreview } from '../core/mathml.js';
import { cataloguePicker } from '../core/picker.js';
import { can } from '../core/session.js';

const LEVELS = ['BHV3.1', 'BHV3.2', 'BHV3.3', 'NTVV4.1', 'NTVV4.2', 'NTVV4.3', 'NTVV4.4'];
const EDITABLE_BODIES = ['singleChoice', 'multipleResponse', 'trueFalse', 'trueFalseCluster', 'numeric'];

/** Whether the signed-in caller may edit this question (the server decides; this only hides a button that would fail). */
export function mayEdit(question) {
  if (can('admin')) return true;
  return question.status === 'draft';
}

/** The type of a body and its fields: the bank writes `{"type": "singleChoice", "options": […], …}`. */
function unwrap(body) {
  return [body?.type || null, body || {}];
}

function wrap(type, value) {
  return { ...value, type };
}

/** A rich-text field: a textarea of the HTML/LaTeX source and its live preview. */
function richField(id, label, rich, { rows = 3 } = {}) {
  const area = el('textarea', { id, rows: String(rows), spellcheck: 'false', class: 'rich-source', 'aria-describedby': `${id}-hint` });
  area.value = rich?.html ?? '';
  const preview = el('div', { class: 'math-preview', id: `${id}-preview`, role: 'region', 'aria-label': t('qePreviewOf', label) });
  let pending = 0;
  const update = () => {
    pending = 0;
    preview.replaceChildren(richPreview(area.value, 'html'));
  };
  area.addEventListener('input', () => {
    if (!pending) pending = requestAnimationFrame(update);
  });
  update();
  const node = el('div', { class: 'field rich-field' },
    el('label', { for: id, text: label }),
    el('p', { class: 'hint', id: `${id}-hint`, text: t('qeRichHint') }),
    el('div', { class: 'rich-pair' }, area, preview));
  return { node, value: () => ({ html: area.value, format: rich?.format === 'plain' && !/[<&]/.test(area.value) ? 'plain' : 'html' }), area };
}

/**
 * Opens the editor for `question` in `container`. `onSaved(question)` is called with the stored version.
 * Returns nothing; the form closes itself on save or cancel.
 */
export function openEditor(container, question, { onSaved = () => {}, onClose = () => {} } = {}) {
  const [type, value] = unwrap(question.body);
  const errorBox = el('p', { class: 'form-error', role: 'alert', id: 'qe-error', hidden: true });
  const heading = el('h2', { id: 'qe-heading', tabindex: '-1', text: t('qeHeading', question.id, question.version) });

  const title = el('input', { type: 'text', maxlength: '500' });
  title.value = question.title || '';
  const grade = select([['', t('none')], ...Array.from({ length: 12 }, (_, i) => [String(i + 1), String(i + 1)])], question.grade ? String(question.grade) : '');
  const points = el('input', { type: 'number', min: '0.01', max: '1000', step: 'any', inputmode: 'decimal' });
  points.value = String(question.points ?? 1);
  const level = select([['', t('none')], ...LEVELS.map((l) => [l, `${l} ${named('levels', l)}`])], question.cognitiveLevel?.level || '');
  const units = cataloguePicker({ id: 'qe-units', label: t('qUnit') });
  units.set(question.knowledgeUnits || []);
  const stem = richField('qe-stem', t('qStem'), question.stem, { rows: 5 });

  // The type-specific part.
  const parts = el('div', { class: 'qe-body' });
  let readBody = () => question.body;
  if (type === 'singleChoice' || type === 'multipleResponse') {
    const list = el('ol', { class: 'qe-options' });
    const rows = [];
    const addRow = (option) => {
      const index = rows.length;
      const id = `qe-opt-${index}`;
      const rich = richField(id, t('qeOption', String.fromCharCode(97 + index)), option.text, { rows: 2 });
      const correct = el('input', { type: type === 'singleChoice' ? 'radio' : 'checkbox', name: 'qe-correct', id: `${id}-correct` });
      correct.checked = (option.fraction ?? 0) >= 0.9999999 || (type === 'multipleResponse' && (option.fraction ?? 0) > 0);
      const row = { option, rich, correct };
      const remove = el('button', {
        type: 'button', class: 'button button-secondary', text: t('qeRemoveOption'),
        onclick: () => {
          rows.splice(rows.indexOf(row), 1);
          item.remove();
        },
      });
      const item = el('li', { class: 'qe-option' }, rich.node,
        el('div', { class: 'field' }, correct, ' ', el('label', { for: `${id}-correct`, class: 'inline', text: t('qeCorrect') })), remove);
      rows.push(row);
      list.append(item);
    };
    for (const option of value.options || []) addRow(option);
    const add = el('button', {
      type: 'button', class: 'button button-secondary', text: t('qeAddOption'),
      onclick: () => addRow({ id: '', text: { html: '', format: 'html' }, fraction: 0, doNotShuffle: false }),
    });
    parts.append(el('fieldset', {}, el('legend', { text: t('qeOptions') }), list, add));
    readBody = () => {
      const used = new Set(rows.map((r) => r.option.id).filter(Boolean));
      const right = rows.filter((r) => r.correct.checked).length;
      const options = rows.map((r) => {
        let id = r.option.id;
        for (let c = 97; !id; c += 1) {
          const candidate = c <= 122 ? String.fromCharCode(c) : `o${c}`;
          if (!used.has(candidate)) id = candidate;
        }
        used.add(id);
        // Single choice: the right option has full credit. Multiple response: the right ones share it; a wrong one
        // keeps its penalty (or none).
        const fraction = r.correct.checked ? (type === 'singleChoice' ? 1 : 1 / right) : Math.min(0, r.option.fraction ?? 0);
        return { ...r.option, id, text: r.rich.value(), fraction };
      });
      return wrap(type, { ...value, options }, question.body);
    };
  } else if (type === 'trueFalse') {
    const answer = select([['true', t('qeTrue')], ['false', t('qeFalse')]], String(Boolean(value.correctAnswer)));
    parts.append(field('qe-tf', t('qeAnswer'), answer));
    readBody = () => wrap(type, { ...value, correctAnswer: answer.value === 'true' }, question.body);
  } else if (type === 'trueFalseCluster') {
    const rows = (value.statements || []).map((statement, index) => {
      const rich = richField(`qe-st-${index}`, t('qeStatement', statement.label || String.fromCharCode(97 + index)), statement.text, { rows: 2 });
      const isTrue = el('input', { type: 'checkbox', id: `qe-st-${index}-true` });
      isTrue.checked = Boolean(statement.isTrue);
      parts.append(el('div', { class: 'qe-option' }, rich.node,
        el('div', { class: 'field' }, isTrue, ' ', el('label', { for: `qe-st-${index}-true`, class: 'inline', text: t('qeStatementTrue') }))));
      return { statement, rich, isTrue };
    });
    readBody = () => wrap(type, { ...value, statements: rows.map((r) => ({ ...r.statement, text: r.rich.value(), isTrue: r.isTrue.checked })) }, question.body);
  } else if (type === 'numeric') {
    const keys = value.keys || [];
    const answer = el('input', { type: 'text', inputmode: 'decimal', spellcheck: 'false' });
    answer.value = keys[0]?.answer ?? '';
    parts.append(field('qe-numeric', t('qeAnswer'), answer, t('qeNumericHint')));
    readBody = () => wrap(type, { ...value, keys: [{ ...(keys[0] || { tolerance: 0, fraction: 1 }), answer: answer.value.trim() }, ...keys.slice(1)] }, question.body);
  }
  if (!EDITABLE_BODIES.includes(type)) parts.append(el('p', { class: 'hint', text: t('qeBodyKept', named('questionTypes', type || '')) }));

  const save = el('button', { type: 'submit', class: 'button', id: 'qe-save', text: t('qeSave') });
  const cancel = el('button', { type: 'button', class: 'button button-secondary', id: 'qe-cancel', text: t('qeCancel') });
  const form = el('form', { class: 'card form question-editor', id: 'qe-form', novalidate: true, 'aria-labelledby': 'qe-heading' },
    heading,
    el('div', { class: 'field-row' }, field('qe-title', t('qTitle'), title), field('qe-grade', t('facet_grade'), grade), field('qe-points', t('qePoints'), points)),
    field('qe-level', t('qLevel'), level),
    el('div', { class: 'field picker-field' }, units.node),
    stem.node,
    parts,
    errorBox,
    el('div', { class: 'actions' }, save, cancel));

  const close = () => {
    container.replaceChildren();
    onClose();
  };
  cancel.addEventListener('click', close);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    const pointsValue = Number(points.value.replace(',', '.'));
    if (!Number.isFinite(pointsValue) || pointsValue <= 0) {
      errorBox.textContent = t('qePointsInvalid');
      errorBox.hidden = false;
      points.focus();
      return;
    }
    const body = {
      title: title.value.trim(),
      knowledgeUnits: units.value(),
      points: pointsValue,
      stem: stem.value(),
      body: readBody(),
    };
    if (grade.value) body.grade = Number(grade.value);
    if (level.value) body.cognitiveLevel = { framework: level.value.split('.')[0], level: level.value };
    save.disabled = true;
    try {
      const saved = await api(`/api/v1/questions/${encodeURIComponent(question.id)}`, {
        method: 'PUT', body, headers: { 'If-Match': `"v${question.version}"` },
      });
      announce(t('qeSaved', saved.id, saved.version));
      close();
      onSaved(saved);
    } catch (error) {
      errorBox.replaceChildren(errorText(error));
      if (error?.status === 412) {
        errorBox.append(' ', el('button', {
          type: 'button', class: 'link-button', text: t('qeReload'),
          onclick: async () => {
            try {
              const fresh = await api(`/api/v1/questions/${encodeURIComponent(question.id)}`);
              openEditor(container, fresh, { onSaved, onClose });
            } catch (reloadError) {
              errorBox.textContent = errorText(reloadError);
            }
          },
        }));
      }
      errorBox.hidden = false;
    } finally {
      save.disabled = false;
    }
  });
  container.replaceChildren(form);
  heading.focus();
  return form;
}

/** The question's stem as a preview (maths rendered), for the bank's list. */
export function stemPreview(question) {
  return el('div', { class: 'question-stem math-preview' }, richPreview(question.stem?.html ?? '', question.stem?.format || 'html'));
}

