// The chair's assignment screen: open submissions with their reviewers and due dates; assign reviewers by name
// (administrators see the board's accounts) or automatically by the board's rules, remove one who has not
// reviewed. API: GET /api/v1/submissions?state=…, POST /api/v1/submissions/{id}/assignments,
// DELETE /api/v1/submissions/{id}/assignments/{reviewer}, GET /api/v1/organisations, GET /api/v1/users?organisation=….

import { api, errorText } from '../core/api.js';
import { $, announce, el, table, template } from '../core/dom.js';
import { formatDate, named, t } from '../core/i18n.js';
import { can, roles, signedIn } from '../core/session.js';
import { guard, statusBadge } from '../core/widgets.js';

let root;
let items = [];
let reviewers = []; // [{id, name, subjects}]

const MARKUP = `
  <h1 id="assign-heading" data-i18n="assignHeading"></h1>
  <div id="assign-guard"></div>
  <div id="assign-body" hidden>
    <p class="hint" data-i18n="assignIntro"></p>
    <p class="actions"><button type="button" id="assign-refresh" class="button button-secondary" data-i18n="refresh"></button></p>
    <p id="assign-count" class="result-count" aria-live="polite"></p>
    <div id="assign-table"></div>
  </div>`;

export async function render(section) {
  root = section;
  template(section, MARKUP);
  section.setAttribute('aria-labelledby', 'assign-heading');
  $('#assign-refresh', section).addEventListener('click', load);
}

export async function show() {
  const ok = guard($('#assign-guard', root), can('chair'), signedIn(), 'assign');
  $('#assign-body', root).hidden = !ok;
  if (ok) await load();
}

export const onSession = show;
export function onLanguage() {
  renderTable();
}

async function loadReviewers() {
  if (!roles().has('admin')) return [];
  const orgs = (await api('/api/v1/organisations')).items || [];
  const lists = await Promise.all(orgs.map((o) => api(`/api/v1/users?organisation=${o.id}`).then((a) => a.items || []).catch(() => [])));
  return lists.flat().filter((u) => !u.disabled && (u.roles || []).some((r) => r === 'reviewer' || r === 'chair'))
    .map((u) => ({ id: u.id, name: u.displayName || u.username, username: u.username, subjects: u.subjects || [] }));
}

async function load() {
  $('#assign-count', root).textContent = t('loading');
  try {
    const [page, board] = await Promise.all([api('/api/v1/submissions?state=submitted,in_review,resubmitted&limit=200'), loadReviewers()]);
    items = page.items || [];
    reviewers = board;
    renderTable();
  } catch (error) {
    $('#assign-count', root).textContent = errorText(error);
  }
}

function nameOf(id) {
  const r = reviewers.find((x) => x.id === id);
  return r ? `${r.name} (${r.username})` : `#${id}`;
}

function renderTable() {
  $('#assign-count', root).textContent = t('queueCount', items.length);
  const rows = items.map((s) => {
    const current = el('ul', { class: 'plain' }, ...(s.assignments || []).map((a) => el('li', {},
      `${nameOf(a.reviewerID)} — ${t('assignDue', formatDate(a.dueAt))} `,
      el('button', {
        type: 'button', class: 'link-button', text: t('assignRemove'), 'aria-label': t('assignRemoveNamed', nameOf(a.reviewerID), s.id),
        onclick: () => act(() => api(`/api/v1/submissions/${s.id}/assignments/${a.reviewerID}`, { method: 'DELETE' })),
      }))));
    const chooserID = `assign-pick-${s.id}`;
    const chooser = reviewers.length
      ? el('select', { id: chooserID, multiple: true, size: String(Math.min(4, reviewers.length)) },
        ...reviewers.filter((r) => !(s.assignments || []).some((a) => a.reviewerID === r.id))
          .map((r) => el('option', { value: String(r.id), text: `${r.name}${r.subjects.length ? ` (${r.subjects.join(', ')})` : ''}` })))
      : el('input', { id: chooserID, type: 'text', inputmode: 'numeric', placeholder: '12, 15' });
    const controls = el('div', {},
      el('label', { for: chooserID, text: t('assignChoose', s.id) }), chooser,
      el('p', { class: 'actions' },
        el('button', {
          type: 'button', class: 'button button-small', text: t('assignButton'),
          onclick: () => {
            const ids = chooser.tagName === 'SELECT' ? [...chooser.selectedOptions].map((o) => Number(o.value)) : chooser.value.split(/[,\s]+/).filter(Boolean).map(Number);
            if (!ids.length || ids.some((n) => !Number.isInteger(n) || n < 1)) {
              announce(t('assignNoneChosen'));
              return;
            }
            act(() => api(`/api/v1/submissions/${s.id}/assignments`, { method: 'POST', body: { reviewers: ids } }));
          },
        }),
        el('button', { type: 'button', class: 'button button-secondary button-small', text: t('assignAuto'), onclick: () => act(() => api(`/api/v1/submissions/${s.id}/assignments`, { method: 'POST', body: {} })) })));
    return [
      el('a', { href: `#review/${s.id}`, text: `#${s.id} ${s.title || s.pid}` }),
      el('span', {}, statusBadge(s.state), ` ${named('submissionKinds', s.kind)}`),
      formatDate(s.submittedAt),
      current,
      controls,
    ];
  });
  $('#assign-table', root).replaceChildren(rows.length
    ? table(t('assignCaption'), [t('queueSubmission'), t('queueState'), t('queueSubmitted'), t('assignCurrent'), t('assignNew')], rows)
    : el('p', { class: 'hint', text: t('queueEmpty') }));
}

async function act(call) {
  try {
    await call();
    announce(t('assignSaved'));
    await load();
  } catch (error) {
    announce(errorText(error));
  }
}
