// Reports (contract: docs/reports-api.md): coverage of the programme as an SVG heatmap subject × grade (gaps outlined,
// each cell a link to its units), review throughput (submissions per week as bars, median time to decision, reasons),
// contributions per school, LMS activity (pushes per client, harvest sources). Every report downloads as CSV.
// API: GET /api/v1/reports/coverage[?subject=&grade=], /review-throughput, /contributions, /lms-activity (?format=csv).

import { api, download, errorText } from '../core/api.js';
import { $, announce, el, svg, table, template } from '../core/dom.js';
import { fmt, formatDate, lang, named, t } from '../core/i18n.js';
import { can } from '../core/session.js';

let root;

const MARKUP = `
  <h1 id="reports-heading" data-i18n="reportsHeading"></h1>
  <p class="hint" data-i18n="reportsIntro"></p>
  <section class="card" aria-labelledby="cov-heading"><h2 id="cov-heading" data-i18n="covHeading"></h2><div id="rep-coverage"></div></section>
  <section class="card" aria-labelledby="thr-heading" id="rep-throughput-card"><h2 id="thr-heading" data-i18n="thrHeading"></h2><div id="rep-throughput"></div></section>
  <section class="card" aria-labelledby="con-heading" id="rep-contributions-card"><h2 id="con-heading" data-i18n="conHeading"></h2><div id="rep-contributions"></div></section>
  <section class="card" aria-labelledby="lms-heading" id="rep-lms-card"><h2 id="lms-heading" data-i18n="lmsHeading"></h2><div id="rep-lms"></div></section>`;

export async function render(section) {
  root = section;
  template(section, MARKUP);
  section.setAttribute('aria-labelledby', 'reports-heading');
}

export async function show(section, ctx) {
  const [subject, grade] = ctx.params();
  await Promise.all([coverage(subject, grade), throughput(), contributions(), lmsActivity()]);
}

export function onSession(section, ctx) {
  return show(section, ctx);
}

export function onLanguage(section, ctx) {
  return show(section, ctx);
}

function csvButton(path, name) {
  return el('button', {
    type: 'button', class: 'button button-secondary button-small csv', text: `${t('repCSV')}: ${name}`, dataset: { path },
    'aria-label': `${t('repCSV')}: ${name}`,
    onclick: async (event) => {
      try {
        const bytes = await download(`${path}${path.includes('?') ? '&' : '?'}format=csv`, name);
        event.target.dataset.bytes = String(bytes);
        announce(t('bpDownloaded', name, fmt(bytes)));
      } catch (error) {
        announce(errorText(error));
      }
    },
  });
}

async function section(id, loader) {
  const box = $(id, root);
  box.replaceChildren(el('p', { text: t('loading') }));
  try {
    box.replaceChildren(...await loader());
  } catch (error) {
    box.replaceChildren(el('p', { class: error.status === 404 ? 'hint' : 'form-error', text: error.status === 404 ? t('repNotAvailable') : errorText(error) }));
  }
}

const PALETTE = ['#f4f6f9', '#dbe9f6', '#a9cbe8', '#5f9fd3', '#2a6fb0', '#0b4a85'];

function colour(value, max) {
  if (!value) return PALETTE[0];
  const step = Math.min(PALETTE.length - 1, 1 + Math.floor((value / Math.max(1, max)) * (PALETTE.length - 2)));
  return PALETTE[step];
}

function coverage(subject, grade) {
  return section('#rep-coverage', async () => {
    if (subject && grade) return drillDown(subject, grade);
    const report = await api('/api/v1/reports/coverage');
    const cells = report.cells || [];
    const subjects = [...new Map(cells.map((c) => [c.subject, c.subjectName || c.subject])).entries()];
    const grades = Array.from({ length: 12 }, (_, i) => i + 1);
    const max = Math.max(0, ...cells.map((c) => c.materials || 0));
    const cw = 44;
    const ch = 26;
    const left = 150;
    const top = 24;
    const width = left + grades.length * cw + 4;
    const height = top + subjects.length * ch + 4;
    const byKey = new Map(cells.map((c) => [`${c.subject}:${c.grade}`, c]));
    const nodes = [svg('title', { id: 'cov-svg-title', text: t('covSvgTitle') })];
    grades.forEach((g, i) => nodes.push(svg('text', { x: String(left + i * cw + cw / 2), y: '16', 'text-anchor': 'middle', text: String(g) })));
    subjects.forEach(([code, name], row) => {
      const label = name.length > 20 ? `${name.slice(0, 19)}…` : name;
      nodes.push(svg('text', { x: String(left - 6), y: String(top + row * ch + ch / 2 + 4), 'text-anchor': 'end', text: label }));
      grades.forEach((g, col) => {
        const c = byKey.get(`${code}:${g}`);
        if (!c) return;
        const x = left + col * cw;
        const y = top + row * ch;
        const textColour = PALETTE.indexOf(colour(c.materials, max)) >= 4 ? '#ffffff' : '#1b2430';
        const description = t('covCell', name, g, fmt(c.materials), c.questions === null || c.questions === undefined ? null : fmt(c.questions), fmt(c.unitsWithoutMaterial ?? 0), fmt(c.units ?? 0));
        nodes.push(svg('a', { href: `#reports/${encodeURIComponent(code)}/${g}`, 'aria-label': description, class: 'cov-cell', 'data-subject': code, 'data-grade': String(g), 'data-materials': String(c.materials) },
          svg('title', { text: description }),
          svg('rect', { x: String(x + 1), y: String(y + 1), width: String(cw - 2), height: String(ch - 2), rx: '3', fill: colour(c.materials, max), class: c.gap ? 'gap' : '' }),
          svg('text', { x: String(x + cw / 2), y: String(y + ch / 2 + 4), 'text-anchor': 'middle', style: `fill:${textColour}`, text: fmt(c.materials) })));
      });
    });
    const chart = svg('svg', { class: 'heatmap', viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-labelledby': 'cov-svg-title', id: 'coverage-heatmap' }, ...nodes);
    const legend = el('p', { class: 'legend' }, el('span', {}, el('span', { class: 'swatch', style: `background:${PALETTE[0]}` }), t('covNone')),
      el('span', {}, el('span', { class: 'swatch', style: `background:${PALETTE[5]}` }), t('covMost', fmt(max))),
      el('span', {}, el('span', { class: 'swatch', style: 'border:2px solid #a4161a' }), t('covGap')));
    const totals = cells.reduce((sum, c) => sum + (c.materials || 0), 0);
    return [el('p', { class: 'hint', text: t('covScope', (report.scope || []).map((s) => named('visibilities', s)).join(', '), report.questionsVisible) }),
      el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('covHeading') }, chart), legend,
      el('p', { id: 'coverage-total', dataset: { total: String(totals) }, text: t('covTotal', fmt(totals)) }),
      el('p', {}, csvButton('/api/v1/reports/coverage', 'hoclieu-coverage.csv'))];
  });
}

async function drillDown(subject, grade) {
  const report = await api(`/api/v1/reports/coverage?subject=${encodeURIComponent(subject)}&grade=${encodeURIComponent(grade)}`);
  const units = report.units || [];
  const rows = units.map((u) => [
    el('span', {}, el('span', { class: 'chip-code', text: u.code }), ' ', u.statement || ''),
    el('span', { class: u.noMaterial ? 'overdue' : '', text: fmt(u.materials ?? 0) }),
    Object.entries(u.materialsByKind || {}).map(([k, n]) => `${named('kinds', k)} ${fmt(n)}`).join(', ') || t('none'),
    u.questions === null || u.questions === undefined ? t('none') : el('span', { class: u.noQuestion ? 'overdue' : '', text: fmt(u.questions) }),
    Object.entries(u.questionsByLevel || {}).map(([l, n]) => `${l || '?'} ${fmt(n)}`).join(', ') || t('none'),
  ]);
  return [
    el('p', {}, el('a', { href: '#reports', text: t('covBack') })),
    el('h3', { id: 'coverage-drill', text: t('covDrill', report.subjectName || subject, grade) }),
    table(t('covUnitsCaption', report.subjectName || subject, grade), [t('covUnit'), t('covMaterials'), t('covByKind'), t('covQuestions'), t('covByLevel')], rows),
    el('p', {}, csvButton(`/api/v1/reports/coverage?subject=${encodeURIComponent(subject)}&grade=${encodeURIComponent(grade)}`, `hoclieu-coverage-${subject}-${grade}.csv`)),
  ];
}

function throughput() {
  $('#rep-throughput-card', root).hidden = !can('board');
  if (!can('board')) return null;
  return section('#rep-throughput', async () => {
    const r = await api('/api/v1/reports/review-throughput');
    const weeks = r.weeks || [];
    const max = Math.max(1, ...weeks.map((w) => w.submitted));
    const bw = 36;
    const h = 140;
    const chart = svg('svg', { class: 'bars', style: `max-width:${Math.max(240, weeks.length * 56 + 60)}px`, viewBox: `0 0 ${Math.max(200, weeks.length * bw + 40)} ${h + 40}`, role: 'img', 'aria-labelledby': 'thr-svg-title' },
      svg('title', { id: 'thr-svg-title', text: t('thrSvgTitle') }),
      ...weeks.map((w, i) => {
        const bar = Math.round((w.submitted / max) * h);
        const decided = Math.round((((w.approved || 0) + (w.rejected || 0)) / max) * h);
        return svg('g', {},
          svg('title', { text: t('thrWeek', w.week, fmt(w.submitted), fmt(w.approved || 0), fmt(w.rejected || 0)) }),
          svg('rect', { x: String(20 + i * bw), y: String(h - bar + 10), width: String(bw - 8), height: String(bar), fill: '#a9cbe8' }),
          svg('rect', { x: String(20 + i * bw), y: String(h - decided + 10), width: String(bw - 8), height: String(decided), fill: '#0b5394' }),
          svg('text', { x: String(20 + i * bw + (bw - 8) / 2), y: String(h + 26), 'text-anchor': 'middle', style: 'font-size:10px', text: w.week.slice(-3) }));
      }));
    const reasons = (r.rejectionReasons || []).map((x) => [lang === 'en' ? x.en : x.vi, fmt(x.count)]);
    const reviewReasons = (r.reviewReasons || []).map((x) => [lang === 'en' ? x.en : x.vi, named('decisions', x.decision), fmt(x.count)]);
    return [
      el('p', { id: 'throughput-summary', text: t('thrSummary', fmt(r.submitted ?? 0), fmt(r.approved ?? 0), fmt(r.rejected ?? 0), fmt(r.open ?? 0), r.medianHoursToDecision === null || r.medianHoursToDecision === undefined ? t('none') : fmt(Math.round(r.medianHoursToDecision * 10) / 10)) }),
      weeks.length ? chart : el('p', { class: 'hint', text: t('thrNoWeeks') }),
      el('p', { class: 'legend' }, el('span', {}, el('span', { class: 'swatch', style: 'background:#a9cbe8' }), t('thrSubmitted')), el('span', {}, el('span', { class: 'swatch', style: 'background:#0b5394' }), t('thrDecided'))),
      weeks.length ? table(t('thrWeeksCaption'), [t('thrWeekCol'), t('thrSubmitted'), t('thrApproved'), t('thrRejected'), t('thrMedian')],
        weeks.map((w) => [w.week, fmt(w.submitted), fmt(w.approved || 0), fmt(w.rejected || 0), w.medianHoursToDecision === null || w.medianHoursToDecision === undefined ? t('none') : fmt(w.medianHoursToDecision)])) : null,
      reasons.length ? table(t('thrReasons'), [t('reviewReason'), t('thrCount')], reasons) : null,
      reviewReasons.length ? table(t('thrReviewReasons'), [t('reviewReason'), t('reviewDecision'), t('thrCount')], reviewReasons) : null,
      el('p', { class: 'actions' }, csvButton('/api/v1/reports/review-throughput', 'hoclieu-review-throughput.csv'), csvButton('/api/v1/reports/review-throughput?table=reasons', 'hoclieu-review-reasons.csv')),
    ];
  });
}

function contributions() {
  const allowed = can('board') || can('admin');
  $('#rep-contributions-card', root).hidden = !allowed;
  if (!allowed) return null;
  return section('#rep-contributions', async () => {
    const r = await api('/api/v1/reports/contributions');
    const rows = (r.organisations || []).map((o) => [o.name, named('orgKinds', o.kind), fmt(o.contributors ?? 0), fmt(o.materials ?? 0),
      fmt(o.materialsByStatus?.published ?? 0), fmt(o.submissions ?? 0), fmt(o.questions ?? 0), fmt(o.questionsPublished ?? 0)]);
    return [table(t('conHeading'), [t('adminName'), t('adminKind'), t('conContributors'), t('covMaterials'), t('conPublished'), t('conSubmissions'), t('covQuestions'), t('conQuestionsPublished')], rows),
      el('p', {}, csvButton('/api/v1/reports/contributions', 'hoclieu-contributions.csv'))];
  });
}

function lmsActivity() {
  $('#rep-lms-card', root).hidden = !can('board');
  if (!can('board')) return null;
  return section('#rep-lms', async () => {
    const r = await api('/api/v1/reports/lms-activity');
    const clients = (r.clients || []).map((c) => [c.name || c.clientId, c.revoked ? t('adminRevoked') : t('adminActive'), formatDate(c.lastUsedAt) || t('none'),
      fmt(c.pushes ?? 0), Object.entries(c.pushesByStatus || {}).map(([k, n]) => `${k} ${fmt(n)}`).join(', ') || t('none'), formatDate(c.lastPushAt) || t('none'), fmt(c.materials ?? 0), fmt(c.oaiRequests ?? 0), fmt(c.oaiRecords ?? 0)]);
    const sources = (r.harvestSources || []).map((s) => [s.baseURL, s.metadataPrefix, formatDate(s.lastRunAt) || t('none'), s.lastError || t('none'), fmt(s.materials ?? 0)]);
    return [
      clients.length ? table(t('lmsClients'), [t('adminName'), t('adminState'), t('lmsLastUsed'), t('lmsPushes'), t('lmsByStatus'), t('lmsLastPush'), t('covMaterials'), t('lmsOAIRequests'), t('lmsOAIRecords')], clients) : el('p', { class: 'hint', text: t('adminNoClients') }),
      sources.length ? table(t('lmsSources'), [t('lmsSource'), t('lmsPrefix'), t('lmsLastRun'), t('lmsLastError'), t('covMaterials')], sources) : el('p', { class: 'hint', text: t('lmsNoSources') }),
      (r.notRecorded || []).length ? el('p', { class: 'hint', text: t('lmsNotRecorded') }) : null,
      el('p', { class: 'actions' }, csvButton('/api/v1/reports/lms-activity', 'hoclieu-lms-activity.csv'), csvButton('/api/v1/reports/lms-activity?table=sources', 'hoclieu-harvest-sources.csv'),
        csvButton('/api/v1/reports/lms-activity?table=oai', 'hoclieu-oai-harvests.csv')),
    ];
  });
}


