// Hoclieu web UI: start-up. Plain ES modules, no build step; each screen is imported when first shown.

import { $, $$, announce, clearError } from './core/dom.js';
import { lang, loadLanguage, onLanguageChange, setLanguage, t } from './core/i18n.js';
import { languageChanged, rememberReturn, parseHash, sessionChanged, show, updateNav } from './core/router.js';
import { displayName, onSessionChange, refreshUser, session, signOut } from './core/session.js';

function renderAccount() {
  const signedIn = Boolean(session.token && session.user);
  $('#signin-link').hidden = signedIn;
  $('#user-box').hidden = !signedIn;
  $('#user-name').textContent = signedIn ? displayName(session.user) : '';
}

function markLanguage() {
  for (const button of $$('.lang-btn')) button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
}

async function start() {
  await loadLanguage();
  markLanguage();
  renderAccount();
  updateNav();
  onSessionChange(() => {
    renderAccount();
    sessionChanged();
  });
  onLanguageChange(() => {
    markLanguage();
    languageChanged();
    announce(t('languageChanged'));
  });
  for (const button of $$('.lang-btn')) button.addEventListener('click', () => setLanguage(button.dataset.lang));
  $('#signout-button').addEventListener('click', async () => {
    await signOut();
    announce(t('signedOut'));
    clearError();
    location.hash = '#search';
  });
  $('#signin-link').addEventListener('click', () => rememberReturn(parseHash().name));
  window.addEventListener('hashchange', () => show(true));
  languageChanged();
  // The stored session is checked while the first screen loads.
  const checking = refreshUser();
  await show(false);
  document.body.dataset.ready = 'true';
  await checking;
}

start();
