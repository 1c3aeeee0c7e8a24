// My materials: the teacher's materials with their status, the board's feedback on each submission, and
// submit / resubmit / take back. API: GET /api/v1/materials (own ones among the visible), GET /api/v1/submissions
// (an author sees their own, with scores and feedback, never internal notes), POST /api/v1/materials/{pid}/submissions,
// POST /api/v1/submissions/{id}/cancel.

import { api, errorText } from '../core/api.js';
import { $, announce, el, pidPath, template } from '../core/dom.js';
import { formatDate, named, t } from '../core/i18n.js';
import { can, session, signedIn } from '../core/session.js';
import { guard, statusBadge } from '../core/widgets.js';

let root;
let materials = [];
let submissions = new Map(); // pid -> newest submission

const MARKUP = `
  <h1 id="mine-heading" data-i18n="mineHeading"></h1>
  <div id="mine-guard"></div>
  <div id="mine-body" hidden>
    <div class="toolbar">
      <div class="field"><label for="mine-status" data-i18n="mineFilter"></label><select id="mine-status"></select></div>
      <button type="button" id="mine-refresh" class="button button-secondary" data-i18n="refresh"></button>
      <a href="#contribute" class="button" data-i18n="navContribute"></a>
    </div>
    <p id="mine-count" class="result-count" aria-live="polite"></p>
    <ol id="mine-list" class="results"></ol>
  </div>`;

export async function render(section) {
  root = section;
  template(section, MARKUP);
  section.setAttribute('aria-labelledby', 'mine-heading');
  $('#mine-status', section).addEventListener('change', renderList);
  $('#mine-refresh', section).addEventListener('click', load);
}

export async function show() {
  if (guard($('#mine-guard', root), can('contribute'), signedIn(), 'mine')) {
    $('#mine-body', root).hidden = false;
    await load();
  } else $('#mine-body', root).hidden = true;
}

export const onSession = show;
export function onLanguage() {
  renderList();
}

async function load() {
  $('#mine-count', root).textContent = t('loading');
  try {
    const me = session.user?.id;
    const [page, subs] = await Promise.all([
      api('/api/v1/materials?limit=100'),
      api('/api/v1/submissions?limit=200'),
    ]);
    materials = (page.items || []).filter((m) => m.ownerID === me);
    submissions = new Map();
    for (const s of subs.items || []) {
      const known = submissions.get(s.pid);
      if (!known || s.id > known.id) submissions.set(s.pid, s);
    }
    // Materials under review that the first page did not hold still show through their submissions.
    for (const [pid, s] of submissions) {
      if (!materials.some((m) => m.pid === pid)) materials.push({ pid, kind: '', status: s.state, metadata: { title: s.title || pid } });
    }
    renderList();
  } catch (error) {
    $('#mine-count', root).textContent = errorText(error);
  }
}

function statusOf(material) {
  const s = submissions.get(material.pid);
  if (s && s.state !== 'approved' && s.state !== 'cancelled') return s.state;
  return material.status;
}

function renderList() {
  const filter = $('#mine-status', root);
  const chosen = filter.value || '';
  const statuses = [...new Set(materials.map(statusOf))];
  filter.replaceChildren(el('option', { value: '', text: t('mineAll') }), ...statuses.map((s) => el('option', { value: s, text: named('statuses', s) })));
  filter.value = statuses.includes(chosen) ? chosen : '';
  const shown = materials.filter((m) => !filter.value || statusOf(m) === filter.value);
  $('#mine-count', root).textContent = t('mineCount', shown.length);
  const list = $('#mine-list', root);
  if (!shown.length) {
    list.replaceChildren(el('li', { class: 'result empty', text: t('mineEmpty') }));
    return;
  }
  list.replaceChildren(...shown.map(item));
}

function item(material) {
  const pid = String(material.pid);
  const s = submissions.get(pid);
  const status = statusOf(material);
  const titleID = `mine-${pid.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const feedback = (s?.reviews || []).filter((r) => r.feedback);
  const actions = el('p', { class: 'actions' });
  const note = el('input', { type: 'text', id: `${titleID}-note`, maxlength: '2000' });
  const canSubmit = ['draft', 'changes_requested', 'rejected'].includes(status);
  if (canSubmit) {
    actions.append(el('span', { class: 'field' }, el('label', { for: note.id, text: t('mineNote') }), note),
      el('button', {
        type: 'button', class: 'button', text: status === 'changes_requested' ? t('mineResubmit') : t('submitForReview'),
        onclick: async (event) => {
          event.target.disabled = true;
          try {
            const body = note.value.trim() ? { note: note.value.trim() } : {};
            const created = await api(`/api/v1/materials/${encodeURIComponent(pid)}/submissions`, { method: 'POST', body });
            submissions.set(pid, created);
            announce(t('submittedForReview', created.id));
            renderList();
          } catch (error) {
            announce(errorText(error));
            event.target.disabled = false;
          }
        },
      }));
  }
  if (s && ['submitted', 'in_review', 'resubmitted', 'changes_requested'].includes(s.state)) {
    actions.append(el('button', {
      type: 'button', class: 'button button-secondary', text: t('mineTakeBack'),
      onclick: async () => {
        try {
          submissions.set(pid, await api(`/api/v1/submissions/${s.id}/cancel`, { method: 'POST', body: {} }));
          renderList();
        } catch (error) {
          announce(errorText(error));
        }
      },
    }));
  }
  return el('li', { class: 'result', dataset: { pid, status } },
    el('article', { 'aria-labelledby': titleID },
      el('p', { class: 'badges' }, material.kind ? el('span', { class: 'badge', text: named('kinds', material.kind) }) : null, statusBadge(status)),
      el('h2', { class: 'result-title', id: titleID }, el('a', { href: pidPath(pid), text: material.metadata?.title || pid })),
      el('p', { class: 'pid-line' }, el('span', { class: 'pid', text: pid }),
        s ? el('span', { text: t('mineSubmission', s.id, s.round, formatDate(s.updatedAt)) }) : null),
      s?.assignments?.length ? el('p', { class: 'hint', text: t('mineDue', formatDate(s.assignments.map((a) => a.dueAt).sort()[0])) }) : null,
      feedback.length ? el('div', { class: 'feedback' }, el('h3', { text: t('mineFeedback') }),
        el('ul', {}, ...feedback.map((r) => el('li', {},
          el('strong', { text: `${named('decisions', r.decision)}${r.reasonCode ? ` — ${named('reasons', r.reasonCode)}` : ''}: ` }), r.feedback)))) : null,
      s?.note ? el('p', { class: 'hint', text: `${t('mineNote')}: ${s.note}` }) : null,
      actions));
}

