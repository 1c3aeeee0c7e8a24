// Contribute a material: metadata (catalogue picker, licence chooser with the Creative Commons licences
// explained), the file by drag-and-drop or chooser with a real progress bar (XMLHttpRequest), restartable
// after a failure; the package's own title and description fill what was left empty; then submit for review.
// API: POST /api/v1/materials, POST /api/v1/materials/{pid}/versions, PATCH /api/v1/materials/{pid},
// POST /api/v1/materials/{pid}/submissions.

import { api, errorText, problemMessage, sendFile } from '../core/api.js';
import { $, $$, announce, clearError, el, hideFormError, pidPath, showFormError, splitList, template } from '../core/dom.js';
import { formatBytes, named, t } from '../core/i18n.js';
import { cataloguePicker } from '../core/picker.js';
import { signedIn } from '../core/session.js';
import { signInNotice } from '../core/widgets.js';
import { RESUMABLE_THRESHOLD, resumableUpload } from '../core/resumable.js';
import { renderResumeNotices } from './upload-resume.js';

const KINDS = ['lesson', 'simulation', 'document', 'video', 'link', 'question_set', 'course_package'];
const VISIBILITIES = ['public', 'sector', 'school', 'private'];
export const LICENCES = ['CC-BY-4.0', 'CC-BY-SA-4.0', 'CC-BY-NC-4.0', 'CC-BY-NC-SA-4.0', 'CC-BY-ND-4.0', 'CC0-1.0'];
const PACKAGE_FILE = /\.(zip|h5p|ggb|imscc)$/i;

const upload = { handle: null, pid: null, material: null, result: null, file: null, units: [] };
let root;
let picker;

const MARKUP = `
  <h1 id="contribute-heading" data-i18n="contributeHeading"></h1>
  <div id="contribute-notice-slot"></div>
  <div id="contribute-resume-slot"></div>
  <form id="contribute-form" class="card form" novalidate hidden>
    <p class="hint" data-i18n="requiredNote"></p>
    <div class="field" id="c-file-field">
      <span class="label" id="c-file-label"><span data-i18n="fFile"></span> <span class="req" aria-hidden="true">*</span></span>
      <div class="dropzone" id="c-drop">
        <p data-i18n="dropHere"></p>
        <input type="file" id="c-file" name="file" class="file-input" aria-labelledby="c-file-label" aria-describedby="c-file-info c-drop-hint">
        <p id="c-drop-hint" class="hint" data-i18n="dropHint"></p>
      </div>
      <p id="c-file-info" class="hint" aria-live="polite"></p>
    </div>
    <div class="field">
      <label for="c-title"><span data-i18n="fTitle"></span> <span class="req" aria-hidden="true">*</span></label>
      <input type="text" id="c-title" name="title" required maxlength="500" autocomplete="off" aria-describedby="c-title-hint">
      <p id="c-title-hint" class="hint" data-i18n="fTitleHint"></p>
    </div>
    <div class="field-row">
      <div class="field"><label for="c-kind" data-i18n="fKind"></label><select id="c-kind" name="kind"></select></div>
      <div class="field"><label for="c-visibility" data-i18n="fVisibility"></label><select id="c-visibility" name="visibility"></select></div>
    </div>
    <div class="field" id="c-url-field" hidden>
      <label for="c-url"><span data-i18n="fUrl"></span> <span class="req" aria-hidden="true">*</span></label>
      <input type="url" id="c-url" name="url" inputmode="url" placeholder="https://">
    </div>
    <div class="field"><label for="c-description" data-i18n="fDescription"></label><textarea id="c-description" name="description" rows="4" maxlength="20000"></textarea></div>
    <div class="field" id="c-units-slot"></div>
    <div class="field">
      <label for="c-subjects" data-i18n="fSubjects"></label>
      <input type="text" id="c-subjects" name="subjects" autocomplete="off" autocapitalize="characters" spellcheck="false" aria-describedby="c-subjects-hint">
      <p id="c-subjects-hint" class="hint" data-i18n="fSubjectsHint"></p>
    </div>
    <fieldset class="field grades-field"><legend data-i18n="fGrades"></legend><div class="grade-boxes" id="c-grades"></div></fieldset>
    <div class="field"><label for="c-keywords" data-i18n="fKeywords"></label><input type="text" id="c-keywords" name="keywords" autocomplete="off"></div>
    <div class="field"><label for="c-authors" data-i18n="fAuthors"></label><input type="text" id="c-authors" name="authors" autocomplete="off"></div>
    <div class="field">
      <label for="c-licence" data-i18n="fLicence"></label>
      <select id="c-licence" name="licence" aria-describedby="c-licence-help"></select>
      <div id="c-licence-help" class="licence-help" aria-live="polite"></div>
      <details class="licence-all"><summary data-i18n="licenceAll"></summary><dl id="c-licence-list"></dl></details>
    </div>
    <p id="contribute-error" class="form-error" role="alert" hidden></p>
    <div class="actions">
      <button type="submit" id="contribute-submit" class="button" data-i18n="submitMaterial"></button>
      <button type="button" id="retry-upload" class="button button-secondary" hidden></button>
    </div>
  </form>
  <div id="contribute-result" class="card success" hidden tabindex="-1">
    <h2 data-i18n="contributedHeading"></h2>
    <p><span data-i18n="pidLabel"></span> <a id="result-pid-link" class="pid"></a></p>
    <p id="result-detail" class="hint"></p>
    <ul id="result-warnings" class="warnings" hidden></ul>
    <p id="result-review" class="hint"></p>
    <p class="actions">
      <button type="button" id="submit-review" class="button" data-i18n="submitForReview"></button>
      <button type="button" id="contribute-another" class="button button-secondary" data-i18n="contributeAnother"></button>
    </p>
  </div>
  <div id="upload-box" class="upload-box card" hidden>
    <label for="upload-progress" id="upload-label"></label>
    <div class="progress-row"><progress id="upload-progress" max="100" value="0"></progress><span id="upload-percent" class="percent">0%</span></div>
    <p id="upload-bytes" class="hint"></p>
    <button type="button" id="upload-cancel" class="button button-danger" data-i18n="cancelUpload"></button>
  </div>`;

export async function render(section) {
  root = section;
  template(section, MARKUP);
  section.setAttribute('aria-labelledby', 'contribute-heading');
  picker = cataloguePicker({ id: 'c-units', label: t('fUnits'), onChange: (codes) => { upload.units = codes; fillFromUnits(codes); } });
  $('#c-units-slot', section).append(picker.node);
  fillSelects();
  $('#contribute-form', section).addEventListener('submit', submit);
  $('#c-kind', section).addEventListener('change', updateKindFields);
  $('#c-file', section).addEventListener('change', () => chooseFile($('#c-file', section).files[0]));
  $('#c-licence', section).addEventListener('change', explainLicence);
  $('#upload-cancel', section).addEventListener('click', () => upload.handle?.abort());
  $('#retry-upload', section).addEventListener('click', retry);
  $('#contribute-another', section).addEventListener('click', another);
  $('#submit-review', section).addEventListener('click', submitForReview);
  const drop = $('#c-drop', section);
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('dragging');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('dragging');
    const file = event.dataTransfer?.files?.[0];
    if (file) chooseFile(file);
  });
  window.addEventListener('beforeunload', (event) => {
    if (upload.handle) event.preventDefault();
  });
  renderAccess();
}

export function show(section, ctx, focus) {
  renderAccess();
  if (!focus) return;
  if (signedIn() && !$('#contribute-form', section).hidden) $('#c-title', section).focus();
}

export function onSession() {
  renderAccess();
}

export function onLanguage(section) {
  picker.node.querySelector('label').textContent = t('fUnits');
  fillSelects();
  updateFileInfo();
  if (upload.pid && !$('#retry-upload', root).hidden) $('#retry-upload', root).textContent = t('retryUpload', upload.pid);
  renderResult();
  const state = $('#upload-box', section).dataset.state;
  if (state === 'uploading' || state === 'done') $('#upload-label', section).textContent = t(state === 'done' ? 'uploadDone' : 'uploading');
}

function renderAccess() {
  const slot = $('#contribute-notice-slot', root);
  const ok = signedIn();
  slot.replaceChildren(ok ? '' : signInNotice('contribute-signed-out', 'contributeNeedSignIn', 'contribute'));
  const showingResult = !$('#contribute-result', root).hidden;
  $('#contribute-form', root).hidden = !ok || showingResult;
  if (!ok) $('#contribute-result', root).hidden = true;
  if (ok && !upload.handle) renderResumeNotices($('#contribute-resume-slot', root), { onResume: resumeUpload });
  else if (!ok) $('#contribute-resume-slot', root).replaceChildren();
}

/** Continues an upload interrupted earlier (another page load): the material exists, the server holds part of the file. */
async function resumeUpload(entry, file) {
  clearContributeError();
  try {
    upload.material = await api(`/api/v1/materials/${encodeURIComponent(entry.pid)}`);
  } catch (error) {
    return contributeError(errorText(error));
  }
  Object.assign(upload, { pid: entry.pid, file });
  setBusy(true);
  await uploadFile(entry.pid, file);
}

function fillSelects() {
  const kind = $('#c-kind', root);
  const chosenKind = kind.value || 'document';
  kind.replaceChildren(...KINDS.map((k) => el('option', { value: k, text: named('kinds', k) })));
  kind.value = chosenKind;
  const visibility = $('#c-visibility', root);
  const chosenVisibility = visibility.value || 'public';
  visibility.replaceChildren(...VISIBILITIES.map((v) => el('option', { value: v, text: named('visibilities', v) })));
  visibility.value = chosenVisibility;
  const licence = $('#c-licence', root);
  const chosenLicence = licence.value || 'CC-BY-4.0';
  licence.replaceChildren(...LICENCES.map((l) => el('option', { value: l, text: `${l} — ${named('licenceNames', l)}` })));
  licence.value = chosenLicence;
  $('#c-licence-list', root).replaceChildren(...LICENCES.flatMap((l) => [el('dt', { text: `${l} — ${named('licenceNames', l)}` }), el('dd', { text: named('licenceExplained', l) })]));
  explainLicence();
  const grades = $('#c-grades', root);
  if (!grades.children.length) {
    for (let g = 1; g <= 12; g += 1) {
      grades.append(el('div', { class: 'grade-box' },
        el('input', { type: 'checkbox', id: `c-grade-${g}`, name: 'grades', value: String(g) }),
        el('label', { for: `c-grade-${g}`, text: String(g) })));
    }
  }
  updateKindFields();
}

function explainLicence() {
  const code = $('#c-licence', root).value;
  $('#c-licence-help', root).textContent = named('licenceExplained', code);
}

/** A unit chosen in the picker fills the subject and grade when they are still empty. */
function fillFromUnits(codes) {
  if (!codes.length) return;
  const [subject, grade] = codes[0].split('.');
  const subjects = $('#c-subjects', root);
  if (!subjects.value.trim() && subject) subjects.value = subject;
  const box = $(`#c-grade-${Number(grade)}`, root);
  if (box && !$$('#c-grades input:checked', root).length) box.checked = true;
}

function updateKindFields() {
  const isLink = $('#c-kind', root).value === 'link';
  $('#c-url-field', root).hidden = !isLink;
  $('#c-file-field', root).hidden = isLink;
}

function chooseFile(file) {
  upload.file = file || null;
  updateFileInfo();
  if (file && /\.(zip|h5p)$/i.test(file.name) && $('#c-kind', root).value === 'document') $('#c-kind', root).value = 'lesson';
}

function updateFileInfo() {
  const file = upload.file;
  $('#c-file-info', root).textContent = file ? t('fileInfo', file.name, formatBytes(file.size)) : '';
}

function contributeError(text, focusTarget) {
  showFormError($('#contribute-error', root), text);
  if (focusTarget) {
    focusTarget.setAttribute('aria-invalid', 'true');
    focusTarget.focus();
  }
}

function clearContributeError() {
  hideFormError($('#contribute-error', root));
  for (const f of $$('#contribute-form [aria-invalid]', root)) f.removeAttribute('aria-invalid');
}

function setBusy(busy) {
  $('#contribute-submit', root).disabled = busy;
  $('#retry-upload', root).disabled = busy;
  $('#contribute-form', root).toggleAttribute('aria-busy', busy);
}

async function submit(event) {
  event.preventDefault();
  clearContributeError();
  clearError();
  const title = $('#c-title', root).value.trim();
  const kind = $('#c-kind', root).value;
  const file = upload.file;
  const url = $('#c-url', root).value.trim();
  const subjects = splitList($('#c-subjects', root).value).map((s) => s.toUpperCase());
  // A package may leave the title empty: its own title fills it after the upload.
  const fromPackage = !title && kind !== 'link' && file && PACKAGE_FILE.test(file.name);
  if (!title && !fromPackage) return contributeError(t('errTitleRequired'), $('#c-title', root));
  if (subjects.some((s) => !/^[A-Z0-9_]{1,32}$/.test(s))) return contributeError(t('errSubjects'), $('#c-subjects', root));
  if (kind === 'link' && !/^https?:\/\/\S+$/i.test(url)) return contributeError(t('errUrlRequired'), $('#c-url', root));
  if (kind !== 'link' && !file) return contributeError(t('errFileRequired'), $('#c-file', root));

  const body = {
    kind,
    title: title || file.name.replace(/\.[^.]+$/, ''),
    description: $('#c-description', root).value.trim(),
    subjects,
    grades: $$('#c-grades input:checked', root).map((box) => Number(box.value)),
    knowledgeUnits: picker.value(),
    keywords: splitList($('#c-keywords', root).value),
    licence: $('#c-licence', root).value,
    authors: splitList($('#c-authors', root).value),
    visibility: $('#c-visibility', root).value,
  };
  if (kind === 'link') body.url = url;
  setBusy(true);
  announce(t('creating'));
  let material;
  try {
    material = await api('/api/v1/materials', { method: 'POST', body });
  } catch (error) {
    setBusy(false);
    return contributeError(errorText(error));
  }
  upload.pid = material.pid;
  upload.material = material;
  upload.fromPackage = fromPackage;
  upload.descriptionEmpty = !body.description;
  if (kind === 'link') {
    setBusy(false);
    return showResult(material, null);
  }
  await uploadFile(material.pid, file);
}

async function retry() {
  clearContributeError();
  if (!upload.pid) return;
  if (!upload.file) return contributeError(t('errFileRequired'), $('#c-file', root));
  setBusy(true);
  await uploadFile(upload.pid, upload.file);
}

async function uploadFile(pid, file) {
  const box = $('#upload-box', root);
  const bar = $('#upload-progress', root);
  const percent = $('#upload-percent', root);
  const bytes = $('#upload-bytes', root);
  const retryButton = $('#retry-upload', root);
  retryButton.hidden = true;
  box.hidden = false;
  box.dataset.state = 'uploading';
  $('#upload-label', root).textContent = t('uploading');
  $('#upload-cancel', root).hidden = false;
  let lastAnnounced = -1;
  const setProgress = (loaded, total) => {
    const value = total > 0 ? Math.min(100, Math.floor((loaded / total) * 100)) : 0;
    bar.value = value;
    percent.textContent = `${value}%`;
    bytes.textContent = t('uploadBytes', formatBytes(loaded), formatBytes(total));
    const quarter = Math.floor(value / 25); // screen readers hear every quarter, not every event
    if (quarter !== lastAnnounced && value < 100) {
      lastAnnounced = quarter;
      if (value > 0) announce(`${t('uploading')} ${value}%`);
    }
  };
  setProgress(0, file.size);
  const failed = (text) => {
    box.dataset.state = 'failed';
    $('#upload-label', root).textContent = text;
    contributeError(`${text} ${t('createdNoFile', pid)}`);
    retryButton.textContent = t('retryUpload', pid);
    retryButton.hidden = false;
  };
  announce(t('uploadStarted'));
  // Large files go in chunks that survive a lost connection or a reload; small ones in one request.
  upload.handle = file.size > RESUMABLE_THRESHOLD
    ? resumableUpload(pid, file, { onProgress: setProgress, onRetry: (attempt) => { $('#upload-label', root).textContent = t('uploadRetrying', attempt); } })
    : sendFile(`/api/v1/materials/${encodeURIComponent(pid)}/versions?filename=${encodeURIComponent(file.name)}`, file, { onProgress: setProgress });
  try {
    const { status, data } = await upload.handle.promise;
    if (status >= 200 && status < 300) {
      setProgress(file.size, file.size);
      box.dataset.state = 'done';
      $('#upload-label', root).textContent = t('uploadDone');
      announce(t('uploadDone'));
      await prefillFromPackage(data);
      showResult(upload.material, data);
    } else {
      failed(problemMessage(data, status));
    }
  } catch (error) {
    if (error?.name === 'AbortError') {
      announce(t('uploadCancelled'));
      failed(t('uploadCancelled'));
    } else failed(t('uploadFailedNetwork'));
  } finally {
    upload.handle = null;
    $('#upload-cancel', root).hidden = true;
    setBusy(false);
  }
}

/** The package's own title and description fill what the teacher left empty. */
async function prefillFromPackage(version) {
  const pkg = version?.package;
  if (!pkg) return;
  const changes = {};
  if (upload.fromPackage && pkg.title) changes.title = pkg.title;
  if (upload.descriptionEmpty && pkg.description) changes.description = pkg.description;
  if (!Object.keys(changes).length) return;
  try {
    upload.material = await api(`/api/v1/materials/${encodeURIComponent(upload.pid)}`, { method: 'PATCH', body: changes });
    upload.prefilled = Object.keys(changes);
  } catch {
    /* the material keeps the file name as its title; the teacher may edit it */
  }
}

function showResult(material, version) {
  upload.result = { material, version, submission: null };
  renderResult();
  const result = $('#contribute-result', root);
  result.hidden = false;
  $('#contribute-form', root).hidden = true;
  announce(t('contributed', String(material.pid)));
  result.focus();
}

function renderResult() {
  if (!upload.result) return;
  const { material, version, submission } = upload.result;
  const pid = String(material.pid);
  const link = $('#result-pid-link', root);
  link.href = pidPath(pid);
  link.textContent = pid;
  const lines = [];
  if (version) lines.push(t('resultVersion', version.number, version.fileName, formatBytes(version.byteSize)));
  lines.push(t('resultStatus', named('statuses', material.status)));
  if (version?.package) lines.push(t('packageLine', version.package.kind.toUpperCase(), version.package.scoCount, version.package.warnings.length));
  if (upload.prefilled?.length) lines.push(t('prefilled', material.metadata?.title || ''));
  if (material.status !== 'published') lines.push(t('resultDraftNote'));
  $('#result-detail', root).textContent = lines.join(' ');
  const warnings = $('#result-warnings', root);
  warnings.replaceChildren(...(version?.package?.warnings || []).map((w) => el('li', { text: typeof w === 'string' ? w : (w.vietnamese || w.message || JSON.stringify(w)) })));
  warnings.hidden = !warnings.children.length;
  $('#contribute-result', root).dataset.pid = pid;
  $('#submit-review', root).hidden = Boolean(submission) || material.status === 'published';
  $('#result-review', root).textContent = submission ? t('submittedForReview', submission.id) : '';
}

async function submitForReview() {
  const pid = upload.result?.material?.pid;
  if (!pid) return;
  const button = $('#submit-review', root);
  button.disabled = true;
  try {
    const submission = await api(`/api/v1/materials/${encodeURIComponent(pid)}/submissions`, { method: 'POST', body: {} });
    upload.result.submission = submission;
    renderResult();
    announce(t('submittedForReview', submission.id));
    $('#contribute-another', root).focus();
  } catch (error) {
    $('#result-review', root).textContent = errorText(error);
  } finally {
    button.disabled = false;
  }
}

function another() {
  $('#contribute-form', root).reset();
  Object.assign(upload, { handle: null, pid: null, material: null, result: null, file: null, prefilled: null });
  picker.set([]);
  $('#upload-box', root).hidden = true;
  $('#retry-upload', root).hidden = true;
  $('#c-file-info', root).textContent = '';
  $('#contribute-result', root).hidden = true;
  clearContributeError();
  fillSelects();
  renderAccess();
  $('#c-title', root).focus();
}
