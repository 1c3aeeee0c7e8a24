// The review queue: what the reviewer owes (overdue first, as the server orders it) or, for the board, every
// submission, filtered by state and overdue. API: GET /api/v1/submissions?queue=mine|state=…&overdue=true.

import { api, errorText } from '../core/api.js';
import { $, el, table, template } from '../core/dom.js';
import { formatDate, named, t } from '../core/i18n.js';
import { can, signedIn } from '../core/session.js';
import { guard, statusBadge } from '../core/widgets.js';

let root;
let items = [];

const STATES = ['submitted', 'in_review', 'resubmitted', 'changes_requested', 'approved', 'rejected', 'cancelled'];

const MARKUP = `
  <h1 id="queue-heading" data-i18n="queueHeading"></h1>
  <div id="queue-guard"></div>
  <div id="queue-body" hidden>
    <form id="queue-filters" class="toolbar">
      <div class="field"><label for="queue-scope" data-i18n="queueScope"></label>
        <select id="queue-scope"><option value="mine" data-i18n="queueMine"></option><option value="all" data-i18n="queueAll"></option></select></div>
      <div class="field"><label for="queue-state" data-i18n="queueState"></label><select id="queue-state"></select></div>
      <div class="field"><input type="checkbox" id="queue-overdue"> <label for="queue-overdue" class="inline" data-i18n="queueOverdue"></label></div>
      <button type="button" id="queue-refresh" class="button button-secondary" data-i18n="refresh"></button>
    </form>
    <p id="queue-count" class="result-count" aria-live="polite"></p>
    <div id="queue-table"></div>
  </div>`;

export async function render(section) {
  root = section;
  template(section, MARKUP);
  section.setAttribute('aria-labelledby', 'queue-heading');
  fillStates();
  for (const id of ['#queue-scope', '#queue-state', '#queue-overdue']) $(id, section).addEventListener('change', load);
  $('#queue-refresh', section).addEventListener('click', load);
  $('#queue-filters', section).addEventListener('submit', (event) => event.preventDefault());
}

function fillStates() {
  const state = $('#queue-state', root);
  const keep = state.value;
  state.replaceChildren(el('option', { value: '', text: t('queueOpen') }), ...STATES.map((s) => el('option', { value: s, text: named('statuses', s) })));
  state.value = keep;
}

export async function show() {
  const ok = guard($('#queue-guard', root), can('board'), signedIn(), 'queue');
  $('#queue-body', root).hidden = !ok;
  if (ok) {
    // The chair (and an administrator) start from every open submission, a reviewer from their own queue.
    if (!can('chair')) $('#queue-scope', root).value = 'mine';
    else if (!root.dataset.scoped) $('#queue-scope', root).value = 'all';
    root.dataset.scoped = 'true';
    await load();
  }
}

export const onSession = show;
export function onLanguage() {
  fillStates();
  renderTable();
}

function dueOf(s) {
  const dates = (s.assignments || []).map((a) => a.dueAt).filter(Boolean).sort();
  return dates[0] || null;
}

async function load() {
  const p = new URLSearchParams({ limit: '200' });
  if ($('#queue-scope', root).value === 'mine') p.set('queue', 'mine');
  p.set('state', $('#queue-state', root).value || 'submitted,in_review,resubmitted');
  if ($('#queue-overdue', root).checked) p.set('overdue', 'true');
  $('#queue-count', root).textContent = t('loading');
  try {
    items = (await api(`/api/v1/submissions?${p}`)).items || [];
    // Overdue first, then the earliest due date, then the oldest submission.
    const now = Date.now();
    items.sort((a, b) => {
      const da = dueOf(a);
      const db = dueOf(b);
      const oa = da && Date.parse(da) < now ? 0 : 1;
      const ob = db && Date.parse(db) < now ? 0 : 1;
      return oa - ob || (da || '9999').localeCompare(db || '9999') || String(a.submittedAt).localeCompare(String(b.submittedAt));
    });
    renderTable();
  } catch (error) {
    $('#queue-count', root).textContent = errorText(error);
  }
}

function renderTable() {
  $('#queue-count', root).textContent = t('queueCount', items.length);
  const now = Date.now();
  const rows = items.map((s) => {
    const due = dueOf(s);
    const overdue = due && Date.parse(due) < now && ['submitted', 'in_review', 'resubmitted'].includes(s.state);
    return [
      el('span', {},
        el('a', { href: `#review/${s.id}`, class: 'queue-link', dataset: { id: String(s.id) }, text: `#${s.id} ${s.title || s.pid}` }),
        // The material's kind and subjects come with the list (one query on the server, no request per row).
        s.materialKind || s.subjects?.length
          ? el('span', { class: 'queue-material hint', text: [s.materialKind ? named('kinds', s.materialKind) : '', ...(s.subjects || []).map((c) => named('subjects', c))].filter(Boolean).join(' · ') })
          : null),
      el('span', { class: 'pid', text: String(s.pid) }),
      named('submissionKinds', s.kind),
      statusBadge(s.state),
      String(s.round ?? 1),
      due ? el('span', { class: overdue ? 'overdue' : '', text: `${formatDate(due)}${overdue ? ` — ${t('queueIsOverdue')}` : ''}` }) : t('none'),
      String((s.assignments || []).length),
      formatDate(s.submittedAt),
    ];
  });
  $('#queue-table', root).replaceChildren(rows.length
    ? table(t('queueCaption'), [t('queueSubmission'), t('queuePid'), t('queueKind'), t('queueState'), t('queueRound'), t('queueDue'), t('queueReviewers'), t('queueSubmitted')], rows)
    : el('p', { class: 'hint', text: t('queueEmpty') }));
}
