// Resumable uploads of large files: the file goes in chunks (PUT /api/v1/uploads/{id} with Content-Range), each
// acknowledged by the server with the received offset. A broken connection is retried from the offset the server
// reports; a reloaded page finds the upload again through localStorage (the id is kept under the material and the
// file's name, size and date) and continues once the teacher picks the same file. When every byte is there, POST
// …/finish makes the file the material's next version through the server's one ingest path.

import { ApiError, NetworkError, api } from './api.js';
import { authHeaders, session } from './session.js';

/** Files above this size go through the resumable protocol; smaller ones in one request. */
export const RESUMABLE_THRESHOLD = 4 * 1024 * 1024;

const PREFIX = 'hoclieu.upload.';
const RETRIES = 6;

function key(pid, file) {
  return `${PREFIX}${pid}|${file.name}|${file.size}|${file.lastModified}`;
}

function remember(pid, file, id) {
  try {
    localStorage.setItem(key(pid, file), JSON.stringify({ id, pid, name: file.name, size: file.size, lastModified: file.lastModified, at: Date.now() }));
  } catch {
    /* without storage the upload still resumes within this page */
  }
}

function forget(pid, file) {
  try {
    localStorage.removeItem(key(pid, file));
  } catch {
    /* nothing kept */
  }
}

/** Uploads interrupted in this browser (newest first): { id, pid, name, size, lastModified, storageKey }. */
export function pendingUploads() {
  const found = [];
  try {
    for (let i = 0; i < localStorage.length; i += 1) {
      const name = localStorage.key(i);
      if (!name?.startsWith(PREFIX)) continue;
      try {
        found.push({ ...JSON.parse(localStorage.getItem(name)), storageKey: name });
      } catch {
        localStorage.removeItem(name);
      }
    }
  } catch {
    return [];
  }
  return found.sort((a, b) => (b.at || 0) - (a.at || 0));
}

/** Forgets an interrupted upload (and abandons it on the server, which would expire it anyway). */
export async function discardPending(entry) {
  try {
    localStorage.removeItem(entry.storageKey);
  } catch {
    /* nothing kept */
  }
  try {
    await api(`/api/v1/uploads/${encodeURIComponent(entry.id)}`, { method: 'DELETE' });
  } catch {
    /* already gone */
  }
}

/** Whether `file` is the one an interrupted upload was sending. */
export function matchesPending(entry, file) {
  return entry.name === file.name && entry.size === file.size && entry.lastModified === file.lastModified;
}

function putChunk(id, blob, start, total, onProgress, state) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    state.xhr = xhr;
    xhr.open('PUT', `/api/v1/uploads/${encodeURIComponent(id)}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Range', `bytes ${start}-${start + blob.size - 1}/${total}`);
    for (const [name, value] of Object.entries(authHeaders(session.token))) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(start + event.loaded);
    };
    xhr.onload = () => {
      let data = null;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        data = null;
      }
      resolve({ status: xhr.status, data });
    };
    xhr.onerror = () => reject(new NetworkError());
    xhr.onabort = () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    xhr.send(blob);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `file` as the next version of material `pid`, resumably. Returns { promise, abort } like sendFile; the promise
 * resolves to { status, data } of the finish request (the version) or of the request that failed for good.
 * `onProgress(loaded, total)` follows the bytes the server holds plus the chunk in flight; `onRetry(attempt)` is told
 * of each retry after a network failure.
 */
export function resumableUpload(pid, file, { onProgress = () => {}, onRetry = () => {}, note } = {}) {
  const state = { aborted: false, xhr: null };
  const promise = (async () => {
    let upload = null;
    const existing = pendingUploads().find((entry) => entry.pid === pid && matchesPending(entry, file));
    if (existing) {
      try {
        upload = await api(`/api/v1/uploads/${encodeURIComponent(existing.id)}`);
        if (upload.size !== file.size || upload.version) upload = null;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        forget(pid, file); // expired or finished elsewhere: start again
      }
    }
    if (!upload) {
      try {
        upload = await api('/api/v1/uploads', {
          method: 'POST', body: { pid, fileName: file.name, size: file.size, ...(file.type ? { mediaType: file.type } : {}), ...(note ? { note } : {}) },
        });
      } catch (error) {
        if (error instanceof ApiError) return { status: error.status, data: error.problem };
        throw error;
      }
      remember(pid, file, upload.id);
    }
    let offset = upload.received;
    const chunkSize = Math.max(64 * 1024, upload.chunkSize || RESUMABLE_THRESHOLD);
    onProgress(offset, file.size);
    let failures = 0;
    while (offset < file.size) {
      if (state.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
      const end = Math.min(file.size, offset + chunkSize);
      let answer;
      try {
        answer = await putChunk(upload.id, file.slice(offset, end), offset, file.size, (loaded) => onProgress(loaded, file.size), state);
      } catch (error) {
        if (error?.name === 'AbortError') throw error;
        failures += 1;
        if (failures > RETRIES) throw error;
        onRetry(failures);
        await sleep(Math.min(15000, 500 * 2 ** failures));
        // Where does the server stand? The chunk may have arrived and only the answer been lost.
        try {
          offset = (await api(`/api/v1/uploads/${encodeURIComponent(upload.id)}`)).received;
        } catch (stateError) {
          if (stateError instanceof ApiError) return { status: stateError.status, data: stateError.problem };
        }
        continue;
      }
      if (answer.status === 200 && answer.data) {
        failures = 0;
        offset = answer.data.received;
        onProgress(offset, file.size);
      } else if (answer.status === 409 && /upload-(out-of-order|overlapping|concurrent)/.test(answer.data?.type || '')) {
        offset = (await api(`/api/v1/uploads/${encodeURIComponent(upload.id)}`)).received;
      } else {
        if (answer.status === 404) forget(pid, file);
        return answer;
      }
    }
    try {
      const version = await api(`/api/v1/uploads/${encodeURIComponent(upload.id)}/finish`, { method: 'POST' });
      forget(pid, file);
      return { status: 201, data: version };
    } catch (error) {
      if (error instanceof ApiError) {
        forget(pid, file);
        return { status: error.status, data: error.problem };
      }
      throw error;
    }
  })();
  return {
    promise,
    abort: () => {
      state.aborted = true;
      state.xhr?.abort();
    },
  };
}
