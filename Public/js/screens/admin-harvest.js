// Administration › harvest sources: the OAI-PMH repositories this service harvests, their settings, "run now"
// and the last runs of each. API: GET|POST /api/v1/harvest/sources, GET|PATCH|DELETE /api/v1/harvest/sources/{id},
// GET /api/v1/harvest/sources/{id}/runs, POST /api/v1/harvest/sources/{id}/run (a job: GET /api/v1/jobs/{id}).

import { api, errorText } from '../core/api.js';
import { announce, el, field, select, table } from '../core/dom.js';
import { formatDate, t } from '../core/i18n.js';

/** Polls a job until it ends (or `tries` run out); returns it as last read. */
export async function waitForJob(path, { tries = 300, interval = 1000, onProgress } = {}) {
  let job = await api(path);
  for (let i = 0; i < tries && !['succeeded', 'failed', 'cancelled'].includes(job.status); i += 1) {
    if (onProgress) onProgress(job);
    await new Promise((resolve) => { setTimeout(resolve, interval); });
    job = await api(path);
  }
  return job;
}

/** The source's form: add (no `source`) or edit. Returns the form's nodes and a function reading its body. */
function sourceFields(prefix, source) {
  const url = el('input', { type: 'url', inputmode: 'url', required: true, maxlength: '1000', value: source?.url || '', placeholder: 'https://…/oai' });
  const set = el('input', { type: 'text', autocomplete: 'off', maxlength: '500', value: source?.set || '' });
  const format = select([['oai_dc', 'oai_dc (Dublin Core)'], ['lom', 'lom (IEEE LOM)']], source?.prefix || 'oai_dc');
  const every = el('input', { type: 'text', autocomplete: 'off', required: true, maxlength: '20', value: source?.every || '6h', pattern: '[0-9]{1,6}[smhd]?' });
  const entry = select([['review', t('harvestEntryReview')], ['published', t('harvestEntryPublished')]], source?.trusted ? 'published' : 'review');
  const owner = el('input', { type: 'text', autocomplete: 'off', maxlength: '100', value: source?.owner || '' });
  const controls = [
    field(`${prefix}-url`, t('harvestURL'), url, t('harvestURLHint')),
    field(`${prefix}-set`, t('harvestSet'), set, t('harvestSetHint')),
    field(`${prefix}-prefix`, t('harvestPrefix'), format),
    field(`${prefix}-every`, t('harvestEvery'), every, t('harvestEveryHint')),
    field(`${prefix}-entry`, t('harvestEntry'), entry, t('harvestEntryHint')),
    field(`${prefix}-owner`, t('harvestOwner'), owner, t('harvestOwnerHint')),
  ];
  const body = () => {
    const value = { url: url.value.trim(), prefix: format.value, every: every.value.trim(), trusted: entry.value === 'published' };
    const setText = set.value.trim();
    if (setText || source) value.set = setText;
    if (owner.value.trim()) value.owner = owner.value.trim();
    return value;
  };
  return { controls, body, first: url };
}

function runsTable(source, runs) {
  return table(t('harvestRunsOf', source.url), [t('harvestStarted'), t('harvestEnded'), t('harvestStatus'), t('harvestAdded'), t('harvestUpdated'), t('harvestDeleted'), t('harvestError')],
    runs.map((r) => [formatDate(r.startedAt), formatDate(r.finishedAt), t(`harvestRun_${r.status}`), String(r.added), String(r.updated), String(r.deleted), r.error || '']));
}

/** The panel: the sources table with actions, the selected source's runs or edit form, and the add form. */
export async function harvestPanel({ smallForm, refresh }) {
  const sources = (await api('/api/v1/harvest/sources')).items || [];
  const detail = el('div', { id: 'harvest-detail', 'aria-live': 'polite' });
  const status = el('p', { class: 'hint', id: 'harvest-status', role: 'status' });

  async function showRuns(source) {
    const runs = (await api(`/api/v1/harvest/sources/${source.id}/runs`)).items || [];
    detail.replaceChildren(runs.length ? runsTable(source, runs) : el('p', { text: t('harvestNoRuns', source.url) }));
  }

  function showEdit(source) {
    const { controls, body, first } = sourceFields('hs-edit', source);
    detail.replaceChildren(smallForm('harvest-edit-form', t('harvestEditHeading', source.url), controls, t('harvestSave'), async () => {
      await api(`/api/v1/harvest/sources/${source.id}`, { method: 'PATCH', body: body() });
      announce(t('harvestSaved'));
    }));
    first.focus();
  }

  const button = (text, label, onclick) => el('button', { type: 'button', class: 'link-button', text, 'aria-label': label, onclick });
  const rows = sources.map((s) => [
    el('span', { class: 'pid', text: s.url }),
    s.set || t('harvestAllSets'), s.prefix, s.every, s.trusted ? t('harvestEntryPublished') : t('harvestEntryReview'),
    s.lastRunAt ? formatDate(s.lastRunAt) : t('harvestNever'), s.lastError || (s.lastRunAt ? t('harvestOK') : ''),
    el('span', { class: 'actions' },
      button(t('harvestRunNow'), `${t('harvestRunNow')} ${s.url}`, async () => {
        try {
          const job = await api(`/api/v1/harvest/sources/${s.id}/run`, { method: 'POST', body: {} });
          status.textContent = t('harvestQueued', s.url);
          const done = await waitForJob(job.links.self);
          status.textContent = done.status === 'succeeded'
            ? t('harvestDone', done.result?.created ?? 0, done.result?.updated ?? 0, done.result?.withdrawn ?? 0) + (done.result?.error ? ` ${done.result.error}` : '')
            : `${t(`harvestRun_failed`)}: ${done.error || done.status}`;
          await showRuns(s);
        } catch (error) {
          status.textContent = errorText(error);
        }
      }),
      button(t('harvestRuns'), `${t('harvestRuns')} ${s.url}`, () => showRuns(s).catch((error) => announce(errorText(error)))),
      button(t('harvestEdit'), `${t('harvestEdit')} ${s.url}`, () => showEdit(s)),
      button(t('harvestDelete'), `${t('harvestDelete')} ${s.url}`, async () => {
        if (!window.confirm(t('harvestDeleteConfirm', s.url))) return;
        try {
          await api(`/api/v1/harvest/sources/${s.id}`, { method: 'DELETE' });
          announce(t('harvestDeletedNotice', s.url));
          await refresh();
        } catch (error) {
          announce(errorText(error));
        }
      })),
  ]);
  const list = sources.length
    ? table(t('adminTab_harvest'), [t('harvestURL'), t('harvestSet'), t('harvestPrefix'), t('harvestEvery'), t('harvestEntry'), t('harvestLastRun'), t('harvestLastResult'), ''], rows)
    : el('p', { id: 'harvest-empty', text: t('harvestNone') });
  const { controls, body } = sourceFields('hs-new');
  return [
    el('p', { class: 'hint', text: t('harvestIntro') }),
    list, status, detail,
    smallForm('harvest-add-form', t('harvestAddHeading'), controls, t('harvestAdd'), async () => {
      await api('/api/v1/harvest/sources', { method: 'POST', body: body() });
      announce(t('harvestAddedNotice'));
    }),
  ];
}
