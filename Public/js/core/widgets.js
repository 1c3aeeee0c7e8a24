// Small shared pieces of the screens: the "sign in first" notice, a status badge, a job poller.

import { el } from './dom.js';
import { named, t } from './i18n.js';
import { rememberReturn } from './router.js';

/** "Sign in with a teacher account to …" with a sign-in button that brings the visitor back here. */
export function signInNotice(id, textKey, returnTo) {
  return el('div', { id, class: 'card notice' },
    el('p', { text: t(textKey), dataset: { i18n: textKey } }),
    el('p', {}, el('a', { href: '/#signin', class: 'button', text: t('signIn'), dataset: { i18n: 'signIn' }, onclick: () => rememberReturn(returnTo) })));
}

export function statusBadge(status, group = 'statuses') {
  return el('span', { class: `badge status status-${status}`, text: named(group, status) });
}

/** A link-like button. */
export function linkButton(text, onclick, props = {}) {
  return el('button', { type: 'button', class: 'link-button', text, onclick, ...props });
}

/** An empty-state line. */
export function empty(key) {
  return el('p', { class: 'hint empty', text: t(key) });
}
