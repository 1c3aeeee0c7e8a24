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

/**
 * Shows, in `slot`, what keeps the visitor from a screen: not signed in (with a sign-in button that comes back
 * here) or signed in without the role. Returns whether the screen may be used.
 */
export function guard(slot, allowed, signedInNow, returnTo) {
  if (!signedInNow) {
    slot.replaceChildren(signInNotice(`${returnTo}-signed-out`, 'needSignIn', returnTo));
    return false;
  }
  if (!allowed) {
    slot.replaceChildren(el('div', { class: 'card notice' }, el('p', { text: t('needRole') })));
    return false;
  }
  slot.replaceChildren();
  return true;
}

/** The text of a bilingual message object ({vietnamese, english} or {vi, en}). */
export function bilingual(message, lang) {
  if (!message) return '';
  if (typeof message === 'string') return message;
  const vi = message.vietnamese ?? message.vi ?? message.messageVi;
  const en = message.english ?? message.en ?? message.messageEn;
  return (lang === 'en' ? en || vi : vi || en) || message.message || message.code || message.kind || '';
}
