// The API client: JSON in and out with the session's credentials; errors are RFC 9457 problems whose
// `messages.vi` / `messages.en` are shown in the chosen language.

import { lang, t } from './i18n.js';
import { authHeaders, session, sessionExpired } from './session.js';

/** An HTTP error with its problem body (when the server sent one). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem || null;
  }
}

export class NetworkError extends Error {
  constructor() {
    super('network');
    this.name = 'NetworkError';
  }
}

/** The message of a problem in the chosen language; a "vi / en" sentence in both members is split. */
export function problemMessage(problem, status) {
  if (problem && typeof problem === 'object') {
    const messages = problem.messages || {};
    let vi = typeof messages.vi === 'string' ? messages.vi : '';
    let en = typeof messages.en === 'string' ? messages.en : '';
    if (vi && vi === en && vi.includes(' / ')) {
      const at = vi.indexOf(' / ');
      en = vi.slice(at + 3);
      vi = vi.slice(0, at);
    }
    const chosen = lang === 'en' ? en || vi : vi || en;
    if (chosen) return chosen;
    if (problem.detail) return String(problem.detail);
    if (problem.title) return String(problem.title);
  }
  return t('serverError', status);
}

export function errorText(error) {
  if (error instanceof ApiError) return problemMessage(error.problem, error.status);
  if (error instanceof NetworkError) return t('network');
  return error?.message ? String(error.message) : String(error);
}

async function readBody(response) {
  const text = await response.text();
  if (!text) return null;
  const type = response.headers.get('Content-Type') || '';
  if (!type.includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** fetch() with the session, JSON in and out, problems thrown as ApiError. `raw` sends a body as it is. */
export async function api(path, { method = 'GET', body, raw, contentType, signal, auth = true, headers: extra = {} } = {}) {
  const headers = { Accept: 'application/json', ...extra };
  const sentToken = auth ? session.token : null;
  Object.assign(headers, authHeaders(sentToken));
  let payload;
  if (raw !== undefined) {
    payload = raw;
    headers['Content-Type'] = contentType || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(path, { method, headers, signal, body: payload, cache: 'no-store' });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new NetworkError();
  }
  const data = await readBody(response);
  if (!response.ok) {
    if (response.status === 401 && sentToken) {
      // A stale token makes even public reads fail: forget it, say so, and read anonymously.
      if (session.token === sentToken) sessionExpired();
      if (method === 'GET' && path !== '/api/v1/me') return api(path, { method, signal, auth: false });
    }
    const error = new ApiError(response.status, typeof data === 'object' ? data : null);
    error.body = data;
    throw error;
  }
  return data;
}

/**
 * Sends `file` with XMLHttpRequest, whose upload.onprogress reports real progress (fetch has none for
 * request bodies). Returns { promise, abort }; the promise resolves to { status, data }.
 */
export function sendFile(url, file, { onProgress, contentType, method = 'POST' } = {}) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open(method, url);
    xhr.setRequestHeader('Content-Type', contentType || file.type || 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [name, value] of Object.entries(authHeaders(session.token))) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      let data = null;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        data = null;
      }
      if (xhr.status === 401) sessionExpired();
      resolve({ status: xhr.status, data });
    };
    xhr.onerror = () => reject(new NetworkError());
    xhr.onabort = () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort(), xhr };
}

/** Downloads a file the API serves only with the session (bearer), saving it under `name`. */
export async function download(path, name) {
  let response;
  try {
    response = await fetch(path, { headers: authHeaders(session.token), cache: 'no-store' });
  } catch {
    throw new NetworkError();
  }
  if (!response.ok) throw new ApiError(response.status, await readBody(response).catch(() => null));
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return blob.size;
}
