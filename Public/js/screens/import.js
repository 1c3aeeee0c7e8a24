// Import a course (Common Cartridge): upload with progress, then the job's progress and its report.
// API: POST /api/v1/imports, GET /api/v1/imports/{id}, POST /api/v1/imports/{id}/cancel.

import { api, errorText, problemMessage, sendFile } from '../core/api.js';
import { $, announce, el, hideFormError, pidPath, showFormError, template } from '../core/dom.js';
import { fmt, lang, t } from '../core/i18n.js';
import { signedIn } from '../core/session.js';
import { signInNotice } from '../core/widgets.js';

const job = { handle: null, id: null, timer: null, report: null };
let root;

const MARKUP = `
  <h1 id="import-heading" data-i18n="importHeading"></h1>
  <p class="hint" data-i18n="importIntro"></p>
  <div id="import-notice-slot"></div>
  <form id="import-form" class="card form" novalidate hidden>
    <div class="field"><label for="i-file" data-i18n="importFile"></label><input type="file" id="i-file" name="file" accept=".imscc,.zip,application/zip"></div>
    <div class="field"><label for="i-status" data-i18n="importStatus"></label>
      <select id="i-status" name="status"><option value="draft" data-i18n="importDraft"></option><option value="submitted" data-i18n="importSubmit"></option></select></div>
    <p id="import-error" class="form-error" role="alert" hidden></p>
    <div class="actions"><button type="submit" id="import-submit" class="button" data-i18n="importButton"></button></div>
  </form>
  <div id="import-box" class="upload-box card" hidden>
    <label for="import-progress" id="import-label"></label>
    <div class="progress-row"><progress id="import-progress" max="100" value="0"></progress><span id="import-percent" class="percent">0%</span></div>
    <button type="button" id="import-cancel" class="button button-danger" data-i18n="importCancel" hidden></button>
  </div>
  <div id="import-result" class="card success" hidden tabindex="-1">
    <p id="import-summary"></p>
    <p><span data-i18n="importCourse"></span> <a id="import-course-link" class="pid"></a></p>
    <div id="import-warnings"></div>
    <div id="import-dropped"></div>
    <p><button type="button" id="import-another" class="button button-secondary" data-i18n="importAnother"></button></p>
  </div>`;

export async function render(section) {
  root = section;
  template(section, MARKUP);
  section.setAttribute('aria-labelledby', 'import-heading');
  $('#import-form', section).addEventListener('submit', submit);
  $('#import-cancel', section).addEventListener('click', cancel);
  $('#import-another', section).addEventListener('click', another);
  window.addEventListener('beforeunload', (event) => {
    if (job.handle) event.preventDefault();
  });
  renderAccess();
}

export function show(section, ctx, focus) {
  renderAccess();
  if (focus && signedIn() && !$('#import-form', section).hidden) $('#i-file', section).focus();
}

export const onSession = renderAccess;
export function onLanguage() {
  renderReport();
}

function renderAccess() {
  const ok = signedIn();
  $('#import-notice-slot', root).replaceChildren(ok ? '' : signInNotice('import-signed-out', 'importNeedSignIn', 'import'));
  $('#import-form', root).hidden = !ok || !$('#import-result', root).hidden;
}

function setProgress(value, label) {
  $('#import-box', root).hidden = false;
  const percent = Math.max(0, Math.min(100, Math.floor(value)));
  $('#import-progress', root).value = percent;
  $('#import-percent', root).textContent = `${percent}%`;
  $('#import-label', root).textContent = label;
}

function failed(text) {
  clearInterval(job.timer);
  Object.assign(job, { timer: null, handle: null, id: null });
  $('#import-box', root).dataset.state = 'failed';
  $('#import-label', root).textContent = text;
  $('#import-cancel', root).hidden = true;
  $('#import-submit', root).disabled = false;
  showFormError($('#import-error', root), text);
  announce(text);
}

async function submit(event) {
  event.preventDefault();
  hideFormError($('#import-error', root));
  const file = $('#i-file', root).files[0];
  if (!file) {
    showFormError($('#import-error', root), t('importNoFile'));
    $('#i-file', root).focus();
    return;
  }
  $('#import-submit', root).disabled = true;
  $('#import-cancel', root).hidden = false;
  $('#import-box', root).dataset.state = 'uploading';
  setProgress(0, t('uploading'));
  const status = $('#i-status', root).value === 'submitted' ? 'submitted' : 'draft';
  announce(t('uploadStarted'));
  // The upload is the first half of the bar, the server's work the second.
  job.handle = sendFile(`/api/v1/imports?filename=${encodeURIComponent(file.name)}&status=${status}`, file,
    { contentType: 'application/zip', onProgress: (loaded, total) => setProgress((loaded / total) * 50, t('uploading')) });
  try {
    const { status: code, data } = await job.handle.promise;
    job.handle = null;
    if (code !== 202 || !data?.id) return failed(t('importFailed', problemMessage(data, code)));
    job.id = data.id;
    $('#import-box', root).dataset.state = 'processing';
    setProgress(50, t('importQueued'));
    job.timer = setInterval(poll, 500);
  } catch (error) {
    failed(error?.name === 'AbortError' ? t('importCancelled') : t('uploadFailedNetwork'));
  }
}

async function poll() {
  if (!job.id) return;
  let answer;
  try {
    answer = await api(`/api/v1/imports/${encodeURIComponent(job.id)}`);
  } catch (error) {
    failed(t('importFailed', errorText(error)));
    return;
  }
  if (answer.status === 'queued') return;
  if (answer.status === 'running' || answer.status === 'cancelling') {
    setProgress(50 + answer.progress * 50, t('importProcessing'));
    return;
  }
  clearInterval(job.timer);
  job.timer = null;
  job.id = null;
  if (answer.status === 'cancelled') return failed(t('importCancelled'));
  if (answer.status === 'failed') return failed(t('importFailed', answer.error || ''));
  setProgress(100, t('importDone'));
  $('#import-box', root).dataset.state = 'done';
  $('#import-cancel', root).hidden = true;
  job.report = answer.report;
  renderReport();
  $('#import-form', root).hidden = true;
  $('#import-result', root).hidden = false;
  announce(t('importDone'));
  $('#import-result', root).focus();
}

async function cancel() {
  if (job.handle) {
    job.handle.abort();
    return;
  }
  if (!job.id) return;
  try {
    await api(`/api/v1/imports/${encodeURIComponent(job.id)}/cancel`, { method: 'POST' });
  } catch {
    /* it ended meanwhile: the next poll says how */
  }
}

function messageList(list, heading, box) {
  const shown = list.slice(0, 50).map((m) => el('li', { text: `${lang === 'vi' ? m.vietnamese : m.english}${m.resource ? ` (${m.resource})` : ''}` }));
  if (list.length > 50) shown.push(el('li', { text: t('importMore', fmt(list.length - 50)) }));
  box.replaceChildren(...(list.length ? [el('h2', { text: heading }), el('ul', { class: 'warnings' }, ...shown)] : []));
}

function renderReport() {
  const report = job.report;
  if (!report) return;
  $('#import-summary', root).textContent = `${t('importSummary', fmt(report.created), fmt(report.updated), fmt(report.unchanged))} ${t('importCounts', report.counts, fmt)}`;
  const course = report.coursePackage;
  const link = $('#import-course-link', root);
  link.textContent = course ? `${course.title} — ${course.pid}` : '';
  link.href = course ? pidPath(String(course.pid)) : '#';
  messageList(report.warnings || [], t('importWarnings', fmt((report.warnings || []).length)), $('#import-warnings', root));
  messageList(report.dropped || [], t('importDropped', fmt((report.dropped || []).length)), $('#import-dropped', root));
}

function another() {
  $('#import-form', root).reset();
  job.report = null;
  $('#import-box', root).hidden = true;
  $('#import-result', root).hidden = true;
  hideFormError($('#import-error', root));
  $('#import-submit', root).disabled = false;
  renderAccess();
  $('#i-file', root).focus();
}
