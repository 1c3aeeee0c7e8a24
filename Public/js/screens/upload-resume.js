// Uploads interrupted in this browser (a lost connection, a closed or reloaded page): each is offered for resuming
// once the teacher picks the same file again (the browser cannot reopen a file by itself), or for discarding.
// The upload's id is in localStorage (core/resumable.js); the server says how much it already holds.

import { api } from '../core/api.js';
import { el } from '../core/dom.js';
import { formatBytes, t } from '../core/i18n.js';
import { discardPending, matchesPending, pendingUploads } from '../core/resumable.js';

/** Fills `slot` with one card per interrupted upload; `onResume(entry, file)` continues it. */
export async function renderResumeNotices(slot, { onResume }) {
  const entries = pendingUploads();
  if (!entries.length) {
    slot.replaceChildren();
    return;
  }
  const cards = [];
  for (const [index, entry] of entries.entries()) {
    let received = null;
    try {
      const state = await api(`/api/v1/uploads/${encodeURIComponent(entry.id)}`);
      if (state.version) continue; // finished elsewhere
      received = state.received;
    } catch {
      try {
        localStorage.removeItem(entry.storageKey); // expired, or another account's
      } catch {
        /* nothing kept */
      }
      continue;
    }
    const id = `resume-file-${index}`;
    const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
    const input = el('input', { type: 'file', id, class: 'file-input' });
    input.addEventListener('change', () => {
      const file = input.files[0];
      if (!file) return;
      if (!matchesPending(entry, file)) {
        error.textContent = t('resumeWrongFile', entry.name);
        error.hidden = false;
        return;
      }
      slot.replaceChildren();
      onResume(entry, file);
    });
    const percent = entry.size > 0 ? Math.floor((received / entry.size) * 100) : 0;
    cards.push(el('div', { class: 'card form resume-card', role: 'region', 'aria-labelledby': `${id}-heading` },
      el('h2', { id: `${id}-heading`, text: t('resumeHeading') }),
      el('p', { text: t('resumeText', entry.name, entry.pid, percent, formatBytes(received), formatBytes(entry.size)) }),
      el('div', { class: 'field' }, el('label', { for: id, text: t('resumeChoose', entry.name) }), input),
      error,
      el('button', {
        type: 'button', class: 'button button-secondary', text: t('resumeDiscard'),
        onclick: async () => {
          await discardPending(entry);
          renderResumeNotices(slot, { onResume });
        },
      })));
  }
  slot.replaceChildren(...cards);
  // The interrupted uploads shown with what the server holds: the page's "results" time (browser tests' timing).
  if (cards.length && !performance.getEntriesByName('hoclieu:results').length) performance.mark('hoclieu:results');
}
