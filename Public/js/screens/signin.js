// Sign in with a username and password (POST /api/v1/auth/login), or with the organisation's account
// when the service offers it (GET /api/v1/auth/methods → /auth/oidc/login).

import { api, errorText } from '../core/api.js';
import { $, announce, clearError, hideFormError, showFormError, template } from '../core/dom.js';
import { t } from '../core/i18n.js';
import { displayName, signIn } from '../core/session.js';

const MARKUP = `
  <div class="narrow">
  <h1 id="signin-heading" data-i18n="signInHeading"></h1>
  <form id="signin-form" class="card form" novalidate>
    <div class="field">
      <label for="signin-username" data-i18n="username"></label>
      <input type="text" id="signin-username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required>
    </div>
    <div class="field">
      <label for="signin-password" data-i18n="password"></label>
      <input type="password" id="signin-password" name="password" autocomplete="current-password" required>
    </div>
    <p id="signin-error" class="form-error" role="alert" hidden></p>
    <div class="actions"><button type="submit" id="signin-submit" class="button" data-i18n="signInButton"></button></div>
    <p id="signin-oidc" hidden><a href="/auth/oidc/login" class="button button-secondary" data-i18n="signInOidc"></a></p>
  </form>
  </div>`;

export async function render(section, ctx) {
  template(section, MARKUP);
  section.setAttribute('aria-labelledby', 'signin-heading');
  $('#signin-form', section).addEventListener('submit', (event) => submit(event, section, ctx));
  api('/api/v1/auth/methods', { auth: false }).then((methods) => {
    $('#signin-oidc', section).hidden = !methods?.oidc;
  }).catch(() => { /* password sign-in only */ });
}

export function show(section, ctx, focus) {
  if (focus) $('#signin-username', section).focus();
}

async function submit(event, section, ctx) {
  event.preventDefault();
  const form = event.currentTarget;
  const username = $('#signin-username', section).value.trim();
  const password = $('#signin-password', section).value;
  const errorBox = $('#signin-error', section);
  hideFormError(errorBox);
  if (!username || !password) {
    showFormError(errorBox, t('signInMissing'));
    (username ? $('#signin-password', section) : $('#signin-username', section)).focus();
    return;
  }
  const button = $('#signin-submit', section);
  button.disabled = true;
  form.setAttribute('aria-busy', 'true');
  announce(t('signingIn'));
  try {
    const user = await signIn(username, password);
    $('#signin-password', section).value = '';
    announce(t('signedIn', displayName(user)));
    clearError();
    location.hash = `#${ctx.takeReturn()}`;
  } catch (error) {
    showFormError(errorBox, errorText(error));
    errorBox.dataset.problem = error?.problem?.type || '';
    $('#signin-password', section).select();
    $('#signin-password', section).focus();
  } finally {
    button.disabled = false;
    form.removeAttribute('aria-busy');
  }
}
