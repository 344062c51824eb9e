// The timeline panel: one line per event, newest first, with a wall-clock time and a
// one-line explanation. Text only.
import { clock, el } from './dom.js';

/**
 * @param {HTMLOListElement} list
 * @returns {{ add(kind: string, text: string, options?: { security?: boolean }): void, clear(): void }}
 */
export function createTimeline(list) {
  return {
    add(kind, text, { security = false } = {}) {
      const now = new Date();
      const time = el('time', { text: clock(now) });
      time.dateTime = now.toISOString();
      const item = el('li', {}, time, el('span', { className: security ? 'kind security' : 'kind', text: kind }), el('span', { text }));
      item.dataset.kind = kind;
      list.prepend(item);
    },
    clear() {
      list.replaceChildren();
    },
  };
}
