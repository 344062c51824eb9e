// A minimal history router: the current path as external state, and navigate().
import { useSyncExternalStore } from 'react';

const listeners = new Set();
window.addEventListener('popstate', () => listeners.forEach((listener) => listener()));

/** Goes to a same-origin path, adding a history entry unless `replace`. */
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  listeners.forEach((listener) => listener());
}

/** The current path; re-renders when it changes. */
export function usePath() {
  return useSyncExternalStore((listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, () => location.pathname);
}
