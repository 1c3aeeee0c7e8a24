// Administration › backups and the catalogue import. Backups: POST /api/v1/backups (a job writing into the data
// folder's backups/), GET /api/v1/backups, GET /api/v1/backups/{name}/file. Restore stays on the command line:
// it replaces the data folder, so the service must be stopped. Catalogue: POST /api/v1/catalog/imports (a framework
// CSV or a CASE CFPackage; 422 lists every problem and loads nothing).

import { api, download, errorText } from '../core/api.js';
import { announce, el, field, table } from '../core/dom.js';
import { formatDate, t } from '../core/i18n.js';
import { waitForJob } from './admin-harvest.js';

function size(bytes) {
  if (bytes >= 1 << 30) return `${(bytes / (1 << 30)).toFixed(1)} GB`;
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KB`;
  return `${bytes} B`;
}

export async function backupPanel({ refresh }) {
  const backups = (await api('/api/v1/backups')).items || [];
  const status = el('p', { class: 'hint', id: 'backup-status', role: 'status' });
  const start = el('button', {
    type: 'button', class: 'button', id: 'backup-start', text: t('backupStart'),
    onclick: async () => {
      start.disabled = true;
      status.textContent = t('backupRunning');
      try {
        const job = await api('/api/v1/backups', { method: 'POST', body: {} });
        const done = await waitForJob(job.links.self, { onProgress: () => { status.textContent = t('backupRunning'); } });
        if (done.status === 'succeeded') {
          announce(t('backupDone', done.result?.file || ''));
          await refresh();
          return;
        }
        status.textContent = `${t('backupFailed')}: ${done.error || done.status}`;
      } catch (error) {
        status.textContent = errorText(error);
      } finally {
        start.disabled = false;
      }
    },
  });
  const rows = backups.map((b) => [
    el('span', { class: 'pid', text: b.name }), formatDate(b.createdAt), size(b.bytes), String(b.materials), String(b.blobs),
    el('button', {
      type: 'button', class: 'link-button', text: t('backupDownload'), 'aria-label': `${t('backupDownload')} ${b.name}`,
      onclick: async () => {
        try {
          await download(b.file, b.name);
        } catch (error) {
          announce(errorText(error));
        }
      },
    }),
  ]);
  return [
    el('div', { class: 'card' }, el('h2', { text: t('adminTab_backup') }), el('p', { text: t('backupIntro') }), el('div', { class: 'actions' }, start), status),
    backups.length
      ? table(t('backupList'), [t('backupFile'), t('backupCreated'), t('backupSize'), t('backupMaterials'), t('backupBlobs'), ''], rows)
      : el('p', { id: 'backup-empty', text: t('backupNone') }),
    el('div', { class: 'card' }, el('h2', { text: t('backupRestoreHeading') }), el('p', { text: t('backupRestoreWhy') }),
      el('pre', { class: 'secret' }, el('code', { text: 'systemctl stop hoclieu\nhoclieu restore /srv/hoclieu/data/backups/hoclieu-backup-….zip --force\nhoclieu check\nsystemctl start hoclieu' }))),
  ];
}

export async function cataloguePanel({ smallForm }) {
  const file = el('input', { type: 'file', accept: '.csv,.json,text/csv,application/json', required: true });
  const framework = el('input', { type: 'text', autocomplete: 'off', maxlength: '40', pattern: '[A-Za-z0-9_]+', autocapitalize: 'characters' });
  const grade = el('input', { type: 'number', min: '1', max: '12', inputmode: 'numeric' });
  return [
    smallForm('catalog-import-form', t('catalogImportHeading'), [
      el('p', { class: 'hint', text: t('catalogImportIntro') }),
      field('catalog-file', t('catalogFile'), file, t('catalogFileHint')),
      field('catalog-framework', t('catalogFramework'), framework, t('catalogFrameworkHint')),
      field('catalog-grade', t('catalogGrade'), grade, t('catalogGradeHint')),
    ], t('catalogImport'), async () => {
      const chosen = file.files?.[0];
      if (!chosen) throw new Error(t('catalogNoFile'));
      const json = /\.json$/i.test(chosen.name);
      const query = new URLSearchParams({ filename: chosen.name, format: json ? 'json' : 'csv' });
      if (framework.value.trim()) query.set('framework', framework.value.trim().toUpperCase());
      if (grade.value) query.set('grade', grade.value);
      try {
        const report = await api(`/api/v1/catalog/imports?${query}`, { method: 'POST', raw: chosen, contentType: json ? 'application/json' : 'text/csv' });
        const load = report.load || {};
        return [el('div', { class: 'card', id: 'catalog-report' },
          el('h3', { text: t('catalogLoaded', report.framework) }),
          table(t('catalogReport'), [t('catalogWhat'), t('catalogCount')], [
            [t('catalogAdded'), String(load.added ?? 0)], [t('catalogRevised'), String(load.revised ?? 0)],
            [t('catalogDeprecated'), String(load.deprecated ?? 0)], [t('catalogUnchanged'), String(load.unchanged ?? 0)],
            [t('catalogRereviews'), String(load.rereviews ?? 0)],
          ]))];
      } catch (error) {
        const problems = error?.problem?.problems || error?.body?.problems;
        if (!problems) throw error;
        return [el('div', { class: 'card', id: 'catalog-report' },
          el('p', { class: 'form-error', role: 'alert', text: errorText(error) }),
          table(t('catalogProblems'), [t('catalogLine'), t('catalogProblem'), t('catalogHint')],
            problems.map((p) => [`${p.file}:${p.line}`, p.message, p.hint || ''])))];
      }
    }),
  ];
}
