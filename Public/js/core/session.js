// The session: a bearer token in sessionStorage, or (after the organisation's sign-in) the HttpOnly
// cookie with its CSRF token. Screens ask `can(...)` which parts of the UI to offer; the server decides.

import { api, ApiError } from './api.js';
import { showErrorText } from './dom.js';
import { t } from './i18n.js';

const TOKEN_KEY = 'hoclieu.session';
/** The session of a sign-in with the organisation's account lives in the HttpOnly cookie, not in a token. */
export const COOKIE_SESSION = 'cookie';

const listeners = new Set();

export const session = loadSession();

function loadSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(TOKEN_KEY) || 'null');
    if (saved && typeof saved.token === 'string') return { token: saved.token, user: saved.user || null, expiresAt: saved.expiresAt };
  } catch {
    /* ignore a damaged entry */
  }
  return { token: null, user: null, expiresAt: null };
}

function saveSession() {
  try {
    if (session.token) sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ token: session.token, user: session.user, expiresAt: session.expiresAt }));
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage may be disabled; the session then lasts for this page only */
  }
}

/** A bearer token, or for a cookie session the CSRF token its state-changing requests must carry. */
export function authHeaders(token) {
  if (!token || token === COOKIE_SESSION) {
    // A browser signed in earlier keeps the session cookie (the tab's token may be gone): the server reads that
    // cookie, so a state-changing request must carry its anti-forgery token or be refused.
    const match = document.cookie.match(/(?:^|;\s*)hoclieu_csrf=([^;]+)/);
    return match && match[1] ? { 'X-CSRF-Token': decodeURIComponent(match[1]) } : {};
  }
  return { Authorization: `Bearer ${token}` };
}

export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function setSession(token, user, expiresAt) {
  session.token = token;
  session.user = user;
  session.expiresAt = expiresAt || null;
  saveSession();
  for (const listener of listeners) listener(session);
}

export function signedIn() {
  return Boolean(session.token && session.user);
}

export function roles() {
  const user = session.user || {};
  return new Set([...(user.roles || []), ...(user.role ? [user.role] : [])]);
}

/** What the UI offers: `contribute`, `board`, `chair`, `admin`, `reports`. */
export function can(what) {
  if (!signedIn()) return false;
  const r = roles();
  switch (what) {
    case 'contribute': return r.has('teacher') || r.has('admin') || r.has('reviewer') || r.has('chair') || r.has('school_admin');
    case 'board': return r.has('reviewer') || r.has('chair') || r.has('admin');
    case 'chair': return r.has('chair') || r.has('admin');
    case 'admin': return r.has('admin') || r.has('school_admin');
    case 'reports': return r.has('admin') || r.has('chair') || r.has('reviewer') || r.has('school_admin');
    default: return false;
  }
}

export function displayName(user = session.user) {
  return user?.displayName || user?.username || '';
}

export function sessionExpired() {
  if (!session.token) return;
  setSession(null, null, null);
  showErrorText(t('sessionExpired'));
}

export async function signIn(username, password) {
  const data = await api('/api/v1/auth/login', { method: 'POST', body: { username, password }, auth: false });
  setSession(data.token, data.user, data.expiresAt);
  return data.user;
}

export async function signOut() {
  const token = session.token;
  setSession(null, null, null);
  if (token) {
    try {
      await fetch('/api/v1/auth/logout', { method: 'POST', headers: authHeaders(token) });
    } catch {
      /* the token is forgotten here anyway */
    }
  }
}

/** Checks a stored token on start: the user may have been changed or the session expired. */
export async function refreshUser() {
  if (!session.token) {
    // Back from the organisation's sign-in page (the service leaves a one-minute marker): the session is in the cookie.
    if (!/(?:^|;\s*)hoclieu_signin=oidc(?:;|$)/.test(document.cookie)) return;
    document.cookie = 'hoclieu_signin=; Path=/; Max-Age=0; SameSite=Lax';
    try {
      const response = await fetch('/api/v1/me', { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (response.ok) setSession(COOKIE_SESSION, await response.json(), null);
    } catch {
      /* not signed in */
    }
    return;
  }
  const token = session.token;
  try {
    const user = await api('/api/v1/me');
    // Signed out meanwhile (in another tab, or the stored session was cleared): do not write it back.
    if (session.token !== token || loadSession().token !== token) {
      if (session.token === token) setSession(null, null, null);
      return;
    }
    setSession(token, user, session.expiresAt);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) setSession(session.token, session.user, session.expiresAt);
  }
}
