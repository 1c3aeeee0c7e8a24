// Administration: schools and accounts (organisations API), LMS client credentials (the secret shown once, with a
// copy button), LTI 1.3 platform registrations and one-time dynamic-registration URLs; harvest sources
// (admin-harvest.js), the catalogue import and backups (admin-backup.js).
// API: GET|POST /api/v1/organisations, GET /api/v1/users?organisation=…, POST /api/v1/users,
// POST /api/v1/users/{id}/disable|enable, GET|POST /api/v1/clients, DELETE /api/v1/clients/{id},
// GET|POST /api/v1/lti/platforms, DELETE /api/v1/lti/platforms/{id}, POST /api/v1/lti/registrations.

import { api, errorText } from '../core/api.js';
import { $, announce, el, field, select, table, template } from '../core/dom.js';
import { formatDate, named, t } from '../core/i18n.js';
import { can, roles, signedIn } from '../core/session.js';
import { guard } from '../core/widgets.js';
import { backupPanel, cataloguePanel } from './admin-backup.js';
import { harvestPanel } from './admin-harvest.js';

const ALL_TABS = ['people', 'clients', 'lti', 'harvest', 'catalogue', 'backup'];
// A school administrator manages their school's accounts; the rest is the department's (AccessPolicy on the server).
const tabs = () => (roles().has('admin') ? ALL_TABS : ['people']);
const ROLES = ['teacher', 'reviewer', 'chair', 'school_admin', 'admin', 'lms_client'];
const SCOPES = ['harvest', 'harvest:sector', 'push', 'lti'];

let root;
let tab = 'people';

const MARKUP = `
  <h1 id="admin-heading" data-i18n="adminHeading"></h1>
  <div id="admin-guard"></div>
  <div id="admin-body" hidden>
    <div class="tabs" role="tablist" id="admin-tabs" data-i18n-aria-label="adminHeading"></div>
    <div id="admin-panel" role="tabpanel" tabindex="0"></div>
  </div>`;

export async function render(section) {
  root = section;
  template(section, MARKUP);
  section.setAttribute('aria-labelledby', 'admin-heading');
  renderTabs();
}

export async function show() {
  const ok = guard($('#admin-guard', root), can('admin'), signedIn(), 'admin');
  $('#admin-body', root).hidden = !ok;
  renderTabs();
  if (ok) await renderPanel();
}

export const onSession = show;
export async function onLanguage() {
  renderTabs();
  if (!$('#admin-body', root).hidden) await renderPanel();
}

function renderTabs() {
  const TABS = tabs();
  if (!TABS.includes(tab)) tab = TABS[0];
  const list = $('#admin-tabs', root);
  list.replaceChildren(...TABS.map((name) => el('button', {
    type: 'button', role: 'tab', id: `admin-tab-${name}`, 'aria-controls': 'admin-panel', 'aria-selected': String(name === tab), tabindex: name === tab ? '0' : '-1',
    text: t(`adminTab_${name}`),
    onclick: () => choose(name),
    onkeydown: (event) => {
      const i = TABS.indexOf(name);
      if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
        const next = TABS[(i + (event.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length];
        choose(next);
        $(`#admin-tab-${next}`, root).focus();
      }
    },
  })));
  $('#admin-panel', root).setAttribute('aria-labelledby', `admin-tab-${tab}`);
}

async function choose(name) {
  tab = name;
  renderTabs();
  await renderPanel();
}

async function renderPanel() {
  const panel = $('#admin-panel', root);
  panel.replaceChildren(el('p', { text: t('loading') }));
  try {
    const builders = { people, clients, lti, harvest, catalogue, backup };
    panel.replaceChildren(...await builders[tab]());
  } catch (error) {
    panel.replaceChildren(el('p', { class: 'form-error', text: errorText(error) }));
  }
}

/** A small form: fields, a submit button, an error line; `onSubmit(values)` returns nodes to show after success. */
function smallForm(id, heading, controls, buttonText, onSubmit) {
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const result = el('div', { 'aria-live': 'polite' });
  const form = el('form', { class: 'card form', id, novalidate: true }, el('h2', { text: heading }), ...controls, error,
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'button', text: buttonText })), result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      const shown = await onSubmit();
      result.replaceChildren(...(shown || []));
      if (!shown) await renderPanel();
    } catch (failure) {
      error.textContent = errorText(failure);
      error.hidden = false;
    }
  });
  return form;
}

async function people() {
  const orgs = (await api('/api/v1/organisations')).items || [];
  const lists = await Promise.all(orgs.map((o) => api(`/api/v1/users?organisation=${o.id}`).then((a) => a.items || []).catch(() => [])));
  const users = lists.flat();
  const orgName = (id) => orgs.find((o) => o.id === id)?.name || `#${id}`;
  const orgTable = table(t('adminOrgs'), [t('adminName'), t('adminKind'), t('adminCode'), t('adminAccounts')],
    orgs.map((o) => [o.name, named('orgKinds', o.kind), o.code || o.key || '', String(o.userCount ?? '')]));
  const userTable = table(t('adminUsers'), [t('username'), t('adminDisplayName'), t('adminRoles'), t('adminSchool'), t('adminState'), ''],
    users.map((u) => [u.username, u.displayName || '', (u.roles || []).map((r) => named('roles', r)).join(', '), orgName(u.organisationID),
      u.disabled ? t('adminDisabled') : t('adminActive'),
      el('button', {
        type: 'button', class: 'link-button', text: u.disabled ? t('adminEnable') : t('adminDisable'), 'aria-label': `${u.disabled ? t('adminEnable') : t('adminDisable')} ${u.username}`,
        onclick: async () => {
          try {
            await api(`/api/v1/users/${u.id}/${u.disabled ? 'enable' : 'disable'}`, { method: 'POST', body: {} });
            await renderPanel();
          } catch (error) {
            announce(errorText(error));
          }
        },
      })]));
  const nodes = [orgTable, userTable];
  if (roles().has('admin')) {
    const name = el('input', { type: 'text', maxlength: '200', required: true });
    const code = el('input', { type: 'text', maxlength: '64' });
    nodes.push(smallForm('admin-org-form', t('adminNewSchool'), [field('org-name', t('adminName'), name), field('org-code', t('adminCode'), code)], t('adminCreate'),
      async () => { await api('/api/v1/organisations', { method: 'POST', body: { name: name.value.trim(), ...(code.value.trim() ? { code: code.value.trim() } : {}) } }); }));
  }
  const username = el('input', { type: 'text', autocomplete: 'off', required: true });
  const display = el('input', { type: 'text' });
  const password = el('input', { type: 'password', autocomplete: 'new-password', minlength: '8' });
  const role = select(ROLES.map((r) => [r, named('roles', r)]), 'teacher');
  const school = el('input', { type: 'text' });
  const subjects = el('input', { type: 'text', autocapitalize: 'characters' });
  nodes.push(smallForm('admin-user-form', t('adminNewUser'), [
    field('nu-username', t('username'), username), field('nu-display', t('adminDisplayName'), display),
    field('nu-password', t('password'), password, t('adminPasswordHint')), field('nu-role', t('adminRoles'), role),
    field('nu-school', t('adminSchool'), school), field('nu-subjects', t('fSubjects'), subjects, t('adminSubjectsHint')),
  ], t('adminCreate'), async () => {
    const body = { username: username.value.trim(), password: password.value, roles: [role.value] };
    if (display.value.trim()) body.displayName = display.value.trim();
    if (school.value.trim()) body.school = school.value.trim();
    const codes = subjects.value.split(/[,\s]+/).filter(Boolean).map((s) => s.toUpperCase());
    if (codes.length) body.subjects = codes;
    await api('/api/v1/users', { method: 'POST', body });
  }));
  return nodes;
}

async function clients() {
  const list = (await api('/api/v1/clients')).items || [];
  const rows = list.map((c) => [c.name || c.clientID || String(c.id), el('span', { class: 'pid', text: c.clientID || c.id || '' }), (c.scopes || []).join(', '),
    formatDate(c.createdAt), c.revokedAt || c.revoked ? t('adminRevoked') : t('adminActive'),
    c.revokedAt || c.revoked ? '' : el('button', {
      type: 'button', class: 'link-button', text: t('adminRevoke'), 'aria-label': `${t('adminRevoke')} ${c.name || c.clientID}`,
      onclick: async () => {
        if (!window.confirm(t('adminRevokeConfirm', c.name || c.clientID))) return;
        try {
          await api(`/api/v1/clients/${encodeURIComponent(c.id)}`, { method: 'DELETE' });
          await renderPanel();
        } catch (error) {
          announce(errorText(error));
        }
      },
    })]);
  const name = el('input', { type: 'text', maxlength: '200' });
  const scopeBoxes = SCOPES.map((s) => el('span', { class: 'grade-box' }, el('input', { type: 'checkbox', id: `scope-${s.replace(':', '-')}`, value: s, checked: s === 'harvest' }), el('label', { for: `scope-${s.replace(':', '-')}`, text: s })));
  const scopes = el('fieldset', { class: 'field' }, el('legend', { text: t('adminScopes') }), el('div', { class: 'grade-boxes' }, ...scopeBoxes));
  return [
    list.length ? table(t('adminClients'), [t('adminName'), t('adminClientID'), t('adminScopes'), t('adminCreated'), t('adminState'), ''], rows) : el('p', { class: 'hint', text: t('adminNoClients') }),
    smallForm('admin-client-form', t('adminNewClient'), [field('client-name', t('adminName'), name), scopes], t('adminCreate'), async () => {
      const chosen = scopeBoxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
      const created = await api('/api/v1/clients', { method: 'POST', body: { name: name.value.trim() || 'LMS', scopes: chosen } });
      const clientID = created.client?.clientID || created.clientID || '';
      const credential = created.token || (clientID && created.secret ? `${clientID}.${created.secret}` : created.secret || '');
      const code = el('code', { class: 'secret', id: 'client-secret', text: credential });
      return [el('div', { class: 'card notice' },
        el('p', { text: t('adminSecretOnce') }), code, ' ',
        el('button', {
          type: 'button', class: 'button button-small', text: t('adminCopy'),
          onclick: async (event) => {
            try {
              await navigator.clipboard.writeText(credential);
              event.target.textContent = t('adminCopied');
            } catch {
              const range = document.createRange();
              range.selectNodeContents(code);
              getSelection().removeAllRanges();
              getSelection().addRange(range);
              event.target.textContent = t('adminCopyManual');
            }
          },
        }),
        el('p', { class: 'hint', text: t('adminSecretUse') }))];
    }),
  ];
}

async function lti() {
  const answer = await api('/api/v1/lti/platforms');
  const list = Array.isArray(answer) ? answer : answer.items || [];
  const rows = list.map((p) => [p.issuer, p.clientId || p.clientID || '', (p.deploymentIds || p.deploymentIDs || []).join(', '), p.school || t('none'),
    el('button', {
      type: 'button', class: 'link-button', text: t('adminDelete'), 'aria-label': `${t('adminDelete')} ${p.issuer}`,
      onclick: async () => {
        if (!window.confirm(t('adminDeleteConfirm', p.issuer))) return;
        try {
          await api(`/api/v1/lti/platforms/${encodeURIComponent(p.id)}`, { method: 'DELETE' });
          await renderPanel();
        } catch (error) {
          announce(errorText(error));
        }
      },
    })]);
  const inputs = {
    issuer: el('input', { type: 'url' }), clientId: el('input', { type: 'text' }), deploymentIds: el('input', { type: 'text' }),
    authUrl: el('input', { type: 'url' }), tokenUrl: el('input', { type: 'url' }), jwksUrl: el('input', { type: 'url' }), school: el('input', { type: 'text' }),
  };
  const regSchool = el('input', { type: 'text' });
  return [
    list.length ? table(t('adminPlatforms'), [t('adminIssuer'), 'Client ID', 'Deployment', t('adminSchool'), ''], rows) : el('p', { class: 'hint', text: t('adminNoPlatforms') }),
    smallForm('admin-lti-reg', t('adminRegistration'), [el('p', { class: 'hint', text: t('adminRegistrationHint') }), field('reg-school', t('adminSchool'), regSchool)], t('adminCreateURL'), async () => {
      const created = await api('/api/v1/lti/registrations', { method: 'POST', body: regSchool.value.trim() ? { school: regSchool.value.trim() } : {} });
      return [el('p', {}, el('code', { class: 'secret', text: created.url || JSON.stringify(created) })), el('p', { class: 'hint', text: t('adminRegistrationValid', formatDate(created.expiresAt)) })];
    }),
    smallForm('admin-lti-form', t('adminNewPlatform'), Object.entries(inputs).map(([key, input]) => field(`lti-${key}`, t(`lti_${key}`), input)), t('adminCreate'), async () => {
      const body = Object.fromEntries(Object.entries(inputs).map(([k, i]) => [k, i.value.trim()]).filter(([, v]) => v));
      if (body.deploymentIds) body.deploymentIds = body.deploymentIds.split(/[,\s]+/).filter(Boolean);
      await api('/api/v1/lti/platforms', { method: 'POST', body });
    }),
  ];
}

const panelTools = () => ({ smallForm, refresh: renderPanel });

async function harvest() {
  return harvestPanel(panelTools());
}

async function catalogue() {
  return cataloguePanel(panelTools());
}

async function backup() {
  return backupPanel(panelTools());
}
