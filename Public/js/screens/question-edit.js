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
const EDITABLE_BODIES = ['singleChoice', 'multipleResponse', 'trueFalse', 'trueFalseCluster', 'numeric', 'shortText', 'essay', 'matching', 'ordering', 'cloze'];
const GAP_KINDS = ['choice', 'shortText', 'numeric'];
const MULTIPLE_DISPLAYS = ['multipleVertical', 'multipleHorizontal'];

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

/** A value the form cannot send: its message and the control to go back to. */
class FormProblem extends Error {
  constructor(message, control) {
    super(message);
    this.control = control;
  }
}

/** A number typed in a field (decimal comma or point); `FormProblem` when it is none or out of [min, max]. */
function numberOf(control, label, { min = -Infinity, max = Infinity, integer = false } = {}) {
  const text = control.value.trim().replace(',', '.');
  const value = text === '' ? NaN : Number(text);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new FormProblem(t('qeInvalidNumber', label, min, max, integer), control);
  }
  return value;
}

/** A credit typed in percent (0–100) as the bank's fraction (0–1). */
function creditOf(control, label) {
  return numberOf(control, label, { min: 0, max: 100 }) / 100;
}

function percent(fraction) {
  return String(Math.round((fraction ?? 1) * 1e5) / 1e3);
}

/** An identifier not in `used` (letters first, as the importers name options), added to it. */
function freshID(used) {
  for (let n = 0; ; n += 1) {
    const candidate = n < 26 ? String.fromCharCode(97 + n) : `x${n}`;
    if (!used.has(candidate)) {
      used.add(candidate);
      return candidate;
    }
  }
}

/**
 * A rich-text field: a textarea of the HTML/LaTeX source and its live preview. The hint on how to write it is shown
 * once, under the stem (`ownHint`); the other rich fields point to that one (a phone need not scroll past it again).
 */
function richField(id, label, rich, { rows = 3, ownHint = false } = {}) {
  const area = el('textarea', { id, rows: String(rows), spellcheck: 'false', class: 'rich-source', 'aria-describedby': ownHint ? `${id}-hint` : 'qe-stem-hint' });
  area.value = rich?.html ?? '';
  const labelNode = el('label', { for: id, text: label });
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
    labelNode,
    ownHint ? el('p', { class: 'hint', id: `${id}-hint`, text: t('qeRichHint') }) : null,
    el('div', { class: 'rich-pair' }, area, preview));
  // Plain text stays plain while nothing in it would read as markup; anything else is sent as HTML.
  const value = () => ({ html: area.value, format: rich?.format === 'plain_text' && !/[<&]/.test(area.value) ? 'plain_text' : 'html' });
  const setLabel = (text) => {
    labelNode.textContent = text;
    preview.setAttribute('aria-label', t('qePreviewOf', text));
  };
  return { node, value, area, setLabel, update };
}

/** A one-line text field with its label (the label can change when its row moves). */
function lineField(id, label, value, props = {}) {
  const input = el('input', { type: 'text', id, spellcheck: 'false', ...props });
  input.value = value ?? '';
  const labelNode = el('label', { for: id, text: label });
  return { node: el('div', { class: 'field' }, labelNode, input), input, setLabel: (text) => { labelNode.textContent = text; } };
}

/**
 * An editable list whose rows are added, removed and (when `ordered`) moved up or down with buttons, so the
 * keyboard alone does everything. `make(item, id)` builds a row: `{ nodes, read(), relabel(position), first }`
 * (`first` is the control that takes the focus). `name(position)` names a row for the buttons and messages.
 */
function listEditor({ id, legend, hint, items, make, blank, addText, removeText = t('qeRemove'), name, ordered = false, min = 0, onRemove }) {
  const list = el(ordered ? 'ol' : 'ul', { class: 'qe-list', id: `${id}-list` });
  const rows = [];
  let counter = 0;
  const refresh = () => {
    rows.forEach((row, index) => {
      const label = name(index);
      row.relabel?.(index);
      row.remove.disabled = rows.length <= min;
      row.remove.setAttribute('aria-label', t('qeRowAction', removeText, label));
      if (ordered) {
        row.up.disabled = index === 0;
        row.down.disabled = index === rows.length - 1;
        row.up.setAttribute('aria-label', t('qeRowAction', t('qeMoveUp'), label));
        row.down.setAttribute('aria-label', t('qeRowAction', t('qeMoveDown'), label));
      }
    });
  };
  const move = (row, step, button) => {
    const from = rows.indexOf(row);
    const to = from + step;
    if (to < 0 || to >= rows.length) return;
    rows.splice(from, 1);
    rows.splice(to, 0, row);
    if (step < 0) list.insertBefore(row.item, rows[to + 1].item);
    else list.insertBefore(row.item, rows[to - 1].item.nextSibling);
    refresh();
    // The pressed button keeps the focus (or its twin, when the row reached an end).
    (button.disabled ? (step < 0 ? row.down : row.up) : button).focus();
    announce(t('qeMoved', name(to), to + 1, rows.length));
  };
  const add = (item, focus = false) => {
    const rowID = `${id}-${counter}`;
    counter += 1;
    const row = make(item, rowID);
    row.remove = el('button', { type: 'button', class: 'button button-secondary button-small', text: removeText });
    const tools = [row.remove];
    if (ordered) {
      row.up = el('button', { type: 'button', class: 'button button-secondary button-small qe-up', text: t('qeMoveUp') });
      row.down = el('button', { type: 'button', class: 'button button-secondary button-small qe-down', text: t('qeMoveDown') });
      row.up.addEventListener('click', () => move(row, -1, row.up));
      row.down.addEventListener('click', () => move(row, 1, row.down));
      tools.unshift(row.up, row.down);
    }
    row.item = el('li', { class: 'qe-row', id: `${rowID}-row` }, el('div', { class: 'qe-row-fields' }, ...row.nodes), el('div', { class: 'qe-row-tools' }, ...tools));
    row.remove.addEventListener('click', () => {
      const index = rows.indexOf(row);
      const label = name(index);
      rows.splice(index, 1);
      row.item.remove();
      onRemove?.(index);
      refresh();
      const neighbour = rows[index] || rows[index - 1];
      if (neighbour?.first) neighbour.first.focus();
      else addButton.focus();
      announce(t('qeRemoved', label));
    });
    rows.push(row);
    list.append(row.item);
    refresh();
    if (focus) row.first?.focus();
    return row;
  };
  const addButton = el('button', { type: 'button', class: 'button button-secondary', id: `${id}-add`, text: addText, onclick: () => add(blank(), true) });
  for (const item of items) add(item);
  const node = el('fieldset', { class: 'qe-list-field', id },
    el('legend', { text: legend }),
    hint ? el('p', { class: 'hint', text: hint }) : null,
    list, addButton);
  return { node, rows, read: () => rows.map((row) => row.read()), add };
}

/** Options of a choice (single choice, multiple response, or a cloze gap that chooses): text and right or not. */
function choiceEditor(id, options, { multiple, legend = t('qeOptions') }) {
  const letter = (index) => String.fromCharCode(97 + index);
  const editor = listEditor({
    id, legend, items: options, ordered: true, min: 2,
    addText: t('qeAddOption'),
    name: (index) => t('qeOption', letter(index)),
    blank: () => ({ id: '', text: { html: '', format: 'html' }, fraction: 0, doNotShuffle: false }),
    make: (option, rowID) => {
      const rich = richField(rowID, t('qeOption', '?'), option.text, { rows: 2 });
      const correct = el('input', { type: multiple ? 'checkbox' : 'radio', name: `${id}-correct`, id: `${rowID}-correct` });
      correct.checked = (option.fraction ?? 0) >= 0.9999999 || (multiple && (option.fraction ?? 0) > 0);
      return {
        nodes: [rich.node, el('div', { class: 'field' }, correct, ' ', el('label', { for: `${rowID}-correct`, class: 'inline', text: t('qeCorrect') }))],
        relabel: (index) => rich.setLabel(t('qeOption', letter(index))),
        first: rich.area,
        read: () => ({ option, text: rich.value(), correct: correct.checked }),
      };
    },
  });
  const read = () => {
    const rows = editor.read();
    const used = new Set(rows.map((r) => r.option.id).filter(Boolean));
    const right = rows.filter((r) => r.correct).length;
    return rows.map((r) => {
      const id = r.option.id || freshID(used);
      // Single choice: the right option has full credit. Multiple response: the right ones share it; a wrong one
      // keeps its penalty (or none).
      const fraction = r.correct ? (multiple ? 1 / right : 1) : Math.min(0, r.option.fraction ?? 0);
      const { option, ...rest } = r;
      return { ...option, id, text: rest.text, fraction };
    });
  };
  return { node: editor.node, read };
}

/** The accepted answers of a short text (a question or a cloze gap): patterns tried in order, each with its credit. */
function shortTextEditor(id, value) {
  const editor = listEditor({
    id, legend: t('qeAccepted'), hint: t('qePatternHint'), items: value.keys || [], ordered: true, min: 1,
    addText: t('qeAddAnswer'),
    name: (index) => t('qeAcceptedAnswer', index + 1),
    blank: () => ({ pattern: '', fraction: 1 }),
    make: (key, rowID) => {
      const pattern = lineField(`${rowID}-pattern`, t('qeAcceptedAnswer', '?'), key.pattern, { maxlength: '1000' });
      const credit = lineField(`${rowID}-credit`, t('qeCredit'), percent(key.fraction), { inputmode: 'decimal', class: 'qe-narrow' });
      let label = '';
      return {
        nodes: [el('div', { class: 'qe-inline-fields' }, pattern.node, credit.node)],
        relabel: (index) => {
          label = t('qeAcceptedAnswer', index + 1);
          pattern.setLabel(label);
        },
        first: pattern.input,
        read: () => {
          if (!pattern.input.value.trim()) throw new FormProblem(t('qeEmptyAnswer', label), pattern.input);
          return { ...key, pattern: pattern.input.value, fraction: creditOf(credit.input, `${label} — ${t('qeCredit')}`) };
        },
      };
    },
  });
  const caseSensitive = el('input', { type: 'checkbox', id: `${id}-case` });
  caseSensitive.checked = Boolean(value.caseSensitive);
  editor.node.append(el('div', { class: 'field qe-case' }, caseSensitive, ' ', el('label', { for: `${id}-case`, class: 'inline', text: t('qeCaseSensitive') })));
  return { node: editor.node, read: () => ({ ...value, keys: editor.read(), caseSensitive: caseSensitive.checked }) };
}

/** The accepted numbers of a numeric question or gap: the number, its tolerance (±) and its credit. */
function numericEditor(id, value) {
  const editor = listEditor({
    id, legend: t('qeAccepted'), hint: t('qeNumericHint'), items: value.keys || [], ordered: true, min: 1,
    addText: t('qeAddAnswer'),
    name: (index) => t('qeAcceptedAnswer', index + 1),
    blank: () => ({ answer: '', tolerance: 0, fraction: 1 }),
    make: (key, rowID) => {
      const answer = lineField(`${rowID}-answer`, t('qeAcceptedAnswer', '?'), key.answer, { inputmode: 'decimal', maxlength: '100' });
      const tolerance = lineField(`${rowID}-tolerance`, t('qeTolerance'), String(key.tolerance ?? 0), { inputmode: 'decimal', class: 'qe-narrow' });
      const credit = lineField(`${rowID}-credit`, t('qeCredit'), percent(key.fraction), { inputmode: 'decimal', class: 'qe-narrow' });
      let label = '';
      return {
        nodes: [el('div', { class: 'qe-inline-fields' }, answer.node, tolerance.node, credit.node)],
        relabel: (index) => {
          label = t('qeAcceptedAnswer', index + 1);
          answer.setLabel(label);
        },
        first: answer.input,
        read: () => {
          if (!answer.input.value.trim()) throw new FormProblem(t('qeEmptyAnswer', label), answer.input);
          return {
            ...key,
            answer: answer.input.value.trim(),
            tolerance: numberOf(tolerance.input, `${label} — ${t('qeTolerance')}`, { min: 0 }),
            fraction: creditOf(credit.input, `${label} — ${t('qeCredit')}`),
          };
        },
      };
    },
  });
  return { node: editor.node, read: () => ({ ...value, keys: editor.read() }) };
}

/** Matching: the pairs (a rich prompt and the plain answer that goes with it) and the extra answers. */
function matchingEditor(value) {
  const pairs = listEditor({
    id: 'qe-pairs', legend: t('qePairs'), items: value.pairs || [], ordered: true, min: 2,
    addText: t('qeAddPair'),
    name: (index) => t('qePair', index + 1),
    blank: () => ({ id: '', prompt: { html: '', format: 'html' }, answer: '' }),
    make: (pair, rowID) => {
      const prompt = richField(`${rowID}-prompt`, t('qePrompt', '?'), pair.prompt, { rows: 2 });
      const answer = lineField(`${rowID}-answer`, t('qePairAnswer', '?'), pair.answer, { maxlength: '1000' });
      return {
        nodes: [prompt.node, answer.node],
        relabel: (index) => {
          prompt.setLabel(t('qePrompt', index + 1));
          answer.setLabel(t('qePairAnswer', index + 1));
        },
        first: prompt.area,
        read: () => ({ ...pair, prompt: prompt.value(), answer: answer.input.value }),
      };
    },
  });
  const distractors = listEditor({
    id: 'qe-distractors', legend: t('qeDistractors'), items: value.distractors || [],
    addText: t('qeAddDistractor'),
    name: (index) => t('qeDistractor', index + 1),
    blank: () => '',
    make: (text, rowID) => {
      const line = lineField(`${rowID}-text`, t('qeDistractor', '?'), text, { maxlength: '1000' });
      return { nodes: [line.node], relabel: (index) => line.setLabel(t('qeDistractor', index + 1)), first: line.input, read: () => line.input.value };
    },
  });
  const read = () => {
    const rows = pairs.read();
    const used = new Set(rows.map((p) => p.id).filter(Boolean));
    return { ...value, pairs: rows.map((p) => ({ ...p, id: p.id || freshID(used) })), distractors: distractors.read().filter((d) => d.trim()) };
  };
  return { node: el('div', {}, pairs.node, distractors.node), read };
}

/** Ordering: the items, listed in the right order; the Up and Down buttons change it. */
function orderingEditor(value) {
  const items = listEditor({
    id: 'qe-items', legend: t('qeItems'), hint: t('qeOrderHint'), items: value.items || [], ordered: true, min: 2,
    addText: t('qeAddItem'),
    name: (index) => t('qeItem', index + 1),
    blank: () => ({ id: '', text: { html: '', format: 'html' } }),
    make: (item, rowID) => {
      const rich = richField(`${rowID}-text`, t('qeItem', '?'), item.text, { rows: 2 });
      return { nodes: [rich.node], relabel: (index) => rich.setLabel(t('qeItem', index + 1)), first: rich.area, read: () => ({ ...item, text: rich.value() }) };
    },
  });
  const read = () => {
    const rows = items.read();
    const used = new Set(rows.map((i) => i.id).filter(Boolean));
    return { ...value, items: rows.map((i) => ({ ...i, id: i.id || freshID(used) })) };
  };
  return { node: items.node, read };
}

/** A new gap of `kind`, as the bank writes it. */
function blankGap(kind) {
  if (kind === 'shortText') return { weight: 1, kind: { type: 'shortText', keys: [{ pattern: '', fraction: 1 }], caseSensitive: false } };
  if (kind === 'numeric') return { weight: 1, kind: { type: 'numeric', keys: [{ answer: '', tolerance: 0, fraction: 1 }], units: [] } };
  const option = () => ({ id: '', text: { html: '', format: 'html' }, fraction: 0, doNotShuffle: false });
  return { weight: 1, kind: { type: 'choice', options: [option(), option()], display: 'dropdown', shuffle: false } };
}

/**
 * Cloze: the gaps, each marked in the stem by `{#1}`, `{#2}`, …, with its weight and its answers. A new gap puts
 * its marker at the cursor in the stem; removing a gap takes its marker out and renumbers the ones after it.
 */
function clozeEditor(value, stem) {
  const replaceMarkers = (change) => {
    stem.area.value = stem.area.value.replace(/\{#(\d+)\}/g, (marker, n) => change(Number(n), marker));
    stem.update();
  };
  const gaps = listEditor({
    id: 'qe-gaps', legend: t('qeGaps'), hint: t('qeGapsHint'), items: value.gaps || [], min: 1,
    addText: t('qeAddGap'),
    removeText: t('qeRemoveGap'),
    name: (index) => t('qeGap', index + 1),
    blank: () => blankGap(kindSelect.value),
    onRemove: (index) => replaceMarkers((n, marker) => (n === index + 1 ? '' : n > index + 1 ? `{#${n - 1}}` : marker)),
    make: (gap, rowID) => {
      const kind = gap.kind || {};
      const heading = el('h3', { class: 'qe-gap-heading', id: `${rowID}-heading` });
      const weight = lineField(`${rowID}-weight`, t('qeWeight'), String(gap.weight ?? 1), { inputmode: 'numeric', class: 'qe-narrow' });
      let answers;
      if (kind.type === 'choice') {
        const multiple = MULTIPLE_DISPLAYS.includes(kind.display);
        const options = choiceEditor(`${rowID}-opt`, kind.options || [], { multiple });
        answers = { node: options.node, read: () => ({ ...kind, options: options.read() }) };
      } else if (kind.type === 'shortText') {
        const editor = shortTextEditor(`${rowID}-st`, kind);
        answers = { node: editor.node, read: () => ({ ...editor.read(), type: 'shortText' }) };
      } else if (kind.type === 'numeric') {
        const editor = numericEditor(`${rowID}-num`, kind);
        answers = { node: editor.node, read: () => ({ ...editor.read(), type: 'numeric' }) };
      } else {
        answers = { node: el('p', { class: 'hint', text: t('qeBodyKept', String(kind.type)) }), read: () => kind };
      }
      let label = '';
      return {
        nodes: [heading, el('p', { class: 'hint', text: named('qeGapKinds', kind.type || '') }), weight.node, answers.node],
        relabel: (index) => {
          label = t('qeGap', index + 1);
          heading.textContent = label;
        },
        first: weight.input,
        read: () => ({ ...gap, weight: numberOf(weight.input, `${label} — ${t('qeWeight')}`, { min: 1, max: 1000, integer: true }), kind: answers.read() }),
      };
    },
  });
  const kindSelect = select(GAP_KINDS.map((k) => [k, named('qeGapKinds', k)]), 'shortText');
  kindSelect.id = 'qe-gap-kind';
  const addButton = gaps.node.querySelector('#qe-gaps-add');
  addButton.addEventListener('click', () => {
    // The marker of the gap just added (the list adds it before this listener runs), at the stem's cursor.
    const marker = `{#${gaps.rows.length}}`;
    const area = stem.area;
    const at = Math.min(area.dataset.caret ? Number(area.dataset.caret) : area.value.length, area.value.length);
    area.value = `${area.value.slice(0, at)}${marker}${area.value.slice(at)}`;
    stem.update();
    announce(t('qeGapAdded', gaps.rows.length));
  });
  // Where the cursor was when the stem lost the focus (the "add" button takes it).
  stem.area.addEventListener('blur', () => { stem.area.dataset.caret = String(stem.area.selectionStart); });
  addButton.before(el('div', { class: 'field qe-gap-kind' }, el('label', { for: 'qe-gap-kind', text: t('qeGapKind') }), kindSelect));
  return { node: gaps.node, read: () => ({ ...value, gaps: gaps.read() }) };
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
  const stem = richField('qe-stem', t('qStem'), question.stem, { rows: 5, ownHint: true });

  // The type-specific part.
  const parts = el('div', { class: 'qe-body' });
  let readBody = () => question.body;
  const use = (editor) => {
    parts.append(editor.node);
    readBody = () => wrap(type, editor.read());
  };
  if (type === 'singleChoice' || type === 'multipleResponse') {
    const options = choiceEditor('qe-opt', value.options || [], { multiple: type === 'multipleResponse' });
    use({ node: options.node, read: () => ({ ...value, options: options.read() }) });
  } else if (type === 'trueFalse') {
    const answer = select([['true', t('qeTrue')], ['false', t('qeFalse')]], String(Boolean(value.correctAnswer)));
    parts.append(field('qe-tf', t('qeAnswer'), answer));
    readBody = () => wrap(type, { ...value, correctAnswer: answer.value === 'true' });
  } else if (type === 'trueFalseCluster') {
    const rows = (value.statements || []).map((statement, index) => {
      const rich = richField(`qe-st-${index}`, t('qeStatement', statement.label || String.fromCharCode(97 + index)), statement.text, { rows: 2 });
      const isTrue = el('input', { type: 'checkbox', id: `qe-st-${index}-true` });
      isTrue.checked = Boolean(statement.isTrue);
      parts.append(el('div', { class: 'qe-option' }, rich.node,
        el('div', { class: 'field' }, isTrue, ' ', el('label', { for: `qe-st-${index}-true`, class: 'inline', text: t('qeStatementTrue') }))));
      return { statement, rich, isTrue };
    });
    readBody = () => wrap(type, { ...value, statements: rows.map((r) => ({ ...r.statement, text: r.rich.value(), isTrue: r.isTrue.checked })) });
  } else if (type === 'numeric') {
    use(numericEditor('qe-num', value));
  } else if (type === 'shortText') {
    use(shortTextEditor('qe-st', value));
  } else if (type === 'essay') {
    const rubric = richField('qe-rubric', t('qeRubric'), value.rubric, { rows: 4 });
    const template = richField('qe-template', t('qeTemplate'), value.responseTemplate, { rows: 3 });
    parts.append(rubric.node, template.node);
    readBody = () => {
      // An emptied field is no rubric (no template) at all, not an empty one.
      const { rubric: _r, responseTemplate: _t, ...rest } = value;
      const out = { ...rest };
      if (rubric.area.value.trim()) out.rubric = rubric.value();
      if (template.area.value.trim()) out.responseTemplate = template.value();
      return wrap(type, out);
    };
  } else if (type === 'matching') {
    use(matchingEditor(value));
  } else if (type === 'ordering') {
    use(orderingEditor(value));
  } else if (type === 'cloze') {
    use(clozeEditor(value, stem));
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
  // Correcting the field the last save refused clears its mark and the message about it.
  form.addEventListener('input', (event) => {
    if (event.target.getAttribute?.('aria-invalid') !== 'true') return;
    event.target.removeAttribute('aria-invalid');
    errorBox.hidden = true;
  });
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
    for (const marked of form.querySelectorAll('[aria-invalid="true"]')) marked.removeAttribute('aria-invalid');
    let edited;
    try {
      edited = readBody();
    } catch (problem) {
      if (!(problem instanceof FormProblem)) throw problem;
      errorBox.textContent = problem.message;
      errorBox.hidden = false;
      problem.control?.setAttribute('aria-invalid', 'true');
      problem.control?.focus();
      return;
    }
    const body = {
      title: title.value.trim(),
      knowledgeUnits: units.value(),
      points: pointsValue,
      stem: stem.value(),
      body: edited,
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

