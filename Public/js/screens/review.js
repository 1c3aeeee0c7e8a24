// The review screen: the material's preview (the player from the content origin, in a frame) beside the
// criteria form of its criteria set — a score per criterion, the decision, a reason code, feedback for the
// author and internal notes for the board — with the package warnings, the pre-review's findings and the
// submission's history (reviews, and the audit trail for administrators). The chair decides here too.
// API: GET /api/v1/submissions/{id}, GET /api/v1/criteria, GET /api/v1/materials/{pid}, …/versions/{n},
// POST /api/v1/materials/{pid}/versions/{n}/preview, POST /api/v1/submissions/{id}/reviews, …/decision,
// GET /api/v1/audit?subject=submission:{id} (administrators).

import { api, errorText } from '../core/api.js';
import { $, announce, el, pidPath, template } from '../core/dom.js';
import { formatDate, lang, named, t } from '../core/i18n.js';
import { can, roles, session, signedIn } from '../core/session.js';
import { bilingual, guard, statusBadge } from '../core/widgets.js';

const DECISIONS = ['approve', 'request_changes', 'reject'];
const REASONS = ['curriculum_mismatch', 'inaccurate_content', 'technical_quality', 'invalid_licence', 'incomplete_metadata', 'portability', 'duplicate', 'other'];

let root;
let current = { id: null, submission: null, criteria: null, material: null, version: null, audit: null };

const MARKUP = `
  <h1 id="review-heading" data-i18n="reviewHeading"></h1>
  <div id="review-guard"></div>
  <div id="review-body" hidden>
    <p><a href="#queue" data-i18n="reviewBack"></a></p>
    <div id="review-summary"></div>
    <div class="two-pane">
      <div id="review-preview"></div>
      <div id="review-form-slot"></div>
    </div>
    <div id="review-warnings"></div>
    <div id="review-history"></div>
  </div>`;

export async function render(section) {
  root = section;
  template(section, MARKUP);
  section.setAttribute('aria-labelledby', 'review-heading');
}

export async function show(section, ctx) {
  const ok = guard($('#review-guard', root), can('board'), signedIn(), 'review');
  $('#review-body', root).hidden = !ok;
  if (!ok) return;
  const id = Number(ctx.params()[0]);
  if (!Number.isInteger(id) || id < 1) {
    $('#review-summary', root).replaceChildren(el('p', { class: 'form-error', text: t('reviewNone') }));
    return;
  }
  await load(id);
}

export function onSession(section, ctx) {
  return show(section, ctx);
}

export function onLanguage() {
  renderAll();
}

async function load(id) {
  current = { id, submission: null, criteria: null, material: null, version: null, audit: null, previewURL: null };
  $('#review-summary', root).replaceChildren(el('p', { text: t('loading') }));
  try {
    const [submission, criteria] = await Promise.all([api(`/api/v1/submissions/${id}`), api('/api/v1/criteria')]);
    current.submission = submission;
    const setID = String(submission.criteriaSet || '').split('@')[0];
    current.criteria = (criteria.items || []).find((c) => c.id === setID) || null;
    const pid = encodeURIComponent(submission.pid);
    const [material, version] = await Promise.all([
      api(`/api/v1/materials/${pid}`).catch(() => null),
      api(`/api/v1/materials/${pid}/versions/${submission.version}`).catch(() => null),
    ]);
    current.material = material;
    current.version = version;
    if (version && material?.kind !== 'link') {
      current.previewURL = (await api(`/api/v1/materials/${pid}/versions/${submission.version}/preview`, { method: 'POST' }).catch(() => null))?.url || null;
    }
    if (roles().has('admin')) {
      current.audit = (await api(`/api/v1/audit?subject=${encodeURIComponent(`submission:${id}`)}&limit=200`).catch(() => ({ items: [] }))).items || [];
    }
    renderAll();
  } catch (error) {
    $('#review-summary', root).replaceChildren(el('p', { class: 'form-error', text: errorText(error) }));
  }
}

function renderAll() {
  const s = current.submission;
  if (!s) return;
  const title = s.title || current.material?.metadata?.title || s.pid;
  $('#review-summary', root).replaceChildren(el('div', { class: 'card' },
    el('h2', { id: 'review-title', text: title }),
    el('p', { class: 'badges' }, statusBadge(s.state), el('span', { class: 'badge', text: named('submissionKinds', s.kind) }),
      el('span', { class: 'badge', text: t('reviewRound', s.round) })),
    el('p', {}, el('a', { href: pidPath(String(s.pid)), class: 'pid', text: String(s.pid), target: '_blank', rel: 'noopener' }), ' ',
      t('reviewVersion', s.version), ' · ', t('reviewSubmitted', formatDate(s.submittedAt))),
    s.note ? el('p', { text: `${t('mineNote')}: ${s.note}` }) : null,
    current.material ? el('p', { class: 'hint', text: `${named('kinds', current.material.kind)} · ${(current.material.metadata?.subjects || []).join(', ')} · ${(current.material.metadata?.knowledgeUnits || []).join(', ')} · ${current.material.metadata?.licence || ''}` }) : null));
  renderPreview(title);
  renderForm();
  renderWarnings();
  renderHistory();
}

function renderPreview(title) {
  const box = $('#review-preview', root);
  if (current.previewURL) {
    box.replaceChildren(el('h2', { text: t('reviewPreview') }),
      el('iframe', { src: current.previewURL, class: 'preview-frame', title: t('reviewPreviewOf', title), id: 'review-frame', allow: 'fullscreen' }),
      el('p', {}, el('a', { href: current.previewURL, target: '_blank', rel: 'noopener noreferrer', text: t('reviewOpenPreview') })));
  } else if (current.material?.kind === 'link' && current.material.url) {
    box.replaceChildren(el('h2', { text: t('reviewPreview') }), el('p', {}, el('a', { href: current.material.url, target: '_blank', rel: 'noopener noreferrer', text: current.material.url })));
  } else {
    box.replaceChildren(el('h2', { text: t('reviewPreview') }), el('p', { class: 'hint', text: t('reviewNoPreview') }));
  }
}

function renderForm() {
  const s = current.submission;
  const slot = $('#review-form-slot', root);
  const me = session.user?.id;
  const assigned = (s.assignments || []).some((a) => a.reviewerID === me);
  const reviewed = (s.reviews || []).some((r) => r.reviewerID === me && r.round === s.round);
  const reviewable = ['submitted', 'in_review', 'resubmitted'].includes(s.state);
  const parts = [el('h2', { text: t('reviewCriteria', current.criteria ? (lang === 'en' ? current.criteria.titleEn : current.criteria.titleVi) : s.criteriaSet) })];
  if (!reviewable) parts.push(el('p', { class: 'hint', text: t('reviewClosed', named('statuses', s.state)) }));
  else if (!assigned) parts.push(el('p', { class: 'hint', text: t('reviewNotAssigned') }));
  else if (reviewed) parts.push(el('p', { class: 'hint', text: t('reviewDone') }));
  if (reviewable && assigned && !reviewed && current.criteria) parts.push(reviewForm());
  if (reviewable && can('chair')) parts.push(decisionForm());
  slot.replaceChildren(el('div', { class: 'card' }, ...parts));
}

function decisionControls(prefix) {
  const decision = el('select', { id: `${prefix}-decision` }, ...DECISIONS.map((d) => el('option', { value: d, text: named('decisions', d) })));
  const reason = el('select', { id: `${prefix}-reason` }, el('option', { value: '', text: t('reviewNoReason') }), ...REASONS.map((r) => el('option', { value: r, text: named('reasons', r) })));
  const feedback = el('textarea', { id: `${prefix}-feedback`, rows: '4', maxlength: '20000', 'aria-describedby': `${prefix}-feedback-hint` });
  return {
    decision, reason, feedback,
    nodes: [
      el('div', { class: 'field' }, el('label', { for: decision.id, text: t('reviewDecision') }), decision),
      el('div', { class: 'field' }, el('label', { for: reason.id, text: t('reviewReason') }), reason),
      el('div', { class: 'field' }, el('label', { for: feedback.id, text: t('reviewFeedback') }), feedback, el('p', { id: `${prefix}-feedback-hint`, class: 'hint', text: t('reviewFeedbackHint') })),
    ],
  };
}

function reviewForm() {
  const set = current.criteria;
  const fieldsets = (set.criteria || []).map((c) => {
    const name = `score-${c.code}`;
    const values = c.scale === 'pass_fail' ? [[1, t('reviewPass')], [0, t('reviewFail')]] : [1, 2, 3, 4].map((n) => [n, String(n)]);
    return el('fieldset', { class: 'criterion', dataset: { code: c.code } },
      el('legend', { text: `${lang === 'en' ? c.en : c.vi}${c.required ? ' *' : ''}` }),
      el('p', { class: 'hint', text: t('reviewWeight', c.weight, c.scale === 'pass_fail' ? t('reviewPassFail') : '1–4') }),
      el('div', { class: 'scale' }, ...values.map(([v, text]) => el('label', {},
        el('input', { type: 'radio', name, value: String(v), required: c.required }), text))));
  });
  const controls = decisionControls('rv');
  const notes = el('textarea', { id: 'rv-notes', rows: '3', maxlength: '20000', 'aria-describedby': 'rv-notes-hint' });
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true, id: 'rv-error' });
  const form = el('form', { class: 'form', id: 'review-form', novalidate: true },
    ...fieldsets, ...controls.nodes,
    el('div', { class: 'field' }, el('label', { for: 'rv-notes', text: t('reviewNotes') }), notes, el('p', { id: 'rv-notes-hint', class: 'hint', text: t('reviewNotesHint') })),
    error,
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'button', id: 'rv-submit', text: t('reviewSubmit') })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    const scores = {};
    for (const c of set.criteria || []) {
      const chosen = form.querySelector(`input[name="score-${c.code}"]:checked`);
      if (chosen) scores[c.code] = Number(chosen.value);
      else if (c.required) {
        error.textContent = t('reviewMissingScore', lang === 'en' ? c.en : c.vi);
        error.hidden = false;
        form.querySelector(`input[name="score-${c.code}"]`).focus();
        return;
      }
    }
    const body = { scores, decision: controls.decision.value, feedback: controls.feedback.value.trim(), internalNotes: notes.value.trim() };
    if (controls.reason.value) body.reasonCode = controls.reason.value;
    try {
      $('#rv-submit', root).disabled = true;
      await api(`/api/v1/submissions/${current.id}/reviews`, { method: 'POST', body });
      announce(t('reviewRecorded'));
      await load(current.id);
      $('#review-title', root)?.setAttribute('tabindex', '-1');
      $('#review-title', root)?.focus();
    } catch (failure) {
      error.textContent = errorText(failure);
      error.hidden = false;
      $('#rv-submit', root).disabled = false;
    }
  });
  return form;
}

function decisionForm() {
  const controls = decisionControls('cd');
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = el('form', { class: 'form chair-decision', novalidate: true },
    el('h3', { text: t('reviewChairDecision') }), ...controls.nodes, error,
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'button button-secondary', text: t('reviewDecide') })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { decision: controls.decision.value, feedback: controls.feedback.value.trim() };
    if (controls.reason.value) body.reasonCode = controls.reason.value;
    try {
      await api(`/api/v1/submissions/${current.id}/decision`, { method: 'POST', body });
      announce(t('reviewDecided'));
      await load(current.id);
    } catch (failure) {
      error.textContent = errorText(failure);
      error.hidden = false;
    }
  });
  return form;
}

function renderWarnings() {
  const s = current.submission;
  const pre = s.preReview;
  const packageWarnings = current.version?.package?.warnings || [];
  const parts = [];
  if (packageWarnings.length) {
    parts.push(el('h3', { text: t('reviewPackageWarnings', packageWarnings.length) }),
      el('ul', { class: 'warnings' }, ...packageWarnings.map((w) => el('li', { text: typeof w === 'string' ? w : bilingual(w, lang) }))));
  }
  if (pre) {
    if ((pre.findings || []).length) parts.push(el('h3', { text: t('reviewFindings') }), el('ul', { class: 'warnings' }, ...pre.findings.map((f) => el('li', { text: lang === 'en' ? f.en : f.vi }))));
    if ((pre.duplicates || []).length) {
      parts.push(el('h3', { text: t('reviewDuplicates') }), el('ul', {}, ...pre.duplicates.map((d) => el('li', {},
        el('a', { href: pidPath(d.pid), text: `${d.title} (${d.pid})` }), ` — ${Math.round(d.similarity * 100)}%${d.exact ? ` ${t('reviewExact')}` : ''}`))));
    }
    if ((pre.suggested || []).length) parts.push(el('p', { class: 'hint', text: `${t('reviewSuggested')}: ${pre.suggested.map((u) => u.code).join(', ')}` }));
  }
  $('#review-warnings', root).replaceChildren(el('div', { class: 'card' }, el('h2', { text: t('reviewChecks') }),
    ...(parts.length ? parts : [el('p', { class: 'hint', text: t('reviewNoWarnings') })])));
}

function renderHistory() {
  const s = current.submission;
  const events = [];
  events.push({ at: s.submittedAt, text: t('historySubmitted', s.round) });
  for (const a of s.assignments || []) events.push({ at: a.assignedAt, text: t('historyAssigned', a.reviewerID, formatDate(a.dueAt)) });
  for (const r of s.reviews || []) {
    events.push({ at: r.createdAt, text: t('historyReview', r.reviewerID ?? '?', named('decisions', r.decision), r.weightedScore?.toFixed?.(2) ?? '', r.reasonCode ? named('reasons', r.reasonCode) : ''), feedback: r.feedback, notes: r.internalNotes });
  }
  if (s.decision) events.push({ at: s.decision.decidedAt || s.updatedAt, text: t('historyDecision', named('decisions', s.decision.decision || s.decision.outcome || '')) });
  events.sort((a, b) => String(a.at).localeCompare(String(b.at)));
  const parts = [el('h2', { text: t('reviewHistory') }),
    el('ol', { class: 'timeline' }, ...events.map((e) => el('li', {},
      el('time', { datetime: e.at, text: formatDate(e.at) }), ' — ', e.text,
      e.feedback ? el('p', { text: `${t('reviewFeedback')}: ${e.feedback}` }) : null,
      e.notes ? el('p', { class: 'hint', text: `${t('reviewNotes')}: ${e.notes}` }) : null)))];
  if (current.audit?.length) {
    parts.push(el('h3', { text: t('reviewAudit') }), el('ol', { class: 'timeline', id: 'review-audit' }, ...current.audit.map((a) => el('li', {},
      el('time', { datetime: a.at, text: formatDate(a.at) }), ` — ${a.action} (${a.actorID ? t('auditActor', a.actorID) : t('auditSystem')})`, el('span', { class: 'hint', text: ` #${a.seq}` })))));
  }
  $('#review-history', root).replaceChildren(el('div', { class: 'card' }, ...parts));
}


