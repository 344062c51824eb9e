// DOM and time helpers for the demo pages. Text goes in with textContent only: values from
// the network are data, never HTML.

/**
 * Creates an element with a class and text content, and appends the given children.
 * @param {string} tag
 * @param {{ className?: string, text?: string }} [props]
 * @param {...Node} children
 * @returns {HTMLElement}
 */
export function el(tag, { className, text } = {}, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  node.append(...children);
  return node;
}

/** The element with this id (throws if the page lacks it: a demo bug, not user input). */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`demo page has no #${id}`);
  return node;
}

/** Sets the text of the element with this id. */
export function show(id, text) {
  byId(id).textContent = text;
}

const pad = (n) => String(n).padStart(2, '0');

/**
 * A wall-clock time, 24-hour "HH:MM:SS", in the browser's time zone.
 * @param {Date | number} when a Date or milliseconds since the epoch
 */
export function clock(when) {
  const d = new Date(when);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * A duration in words: "45 s", "2 min 5 s", "1 h 3 min".
 * @param {number} seconds non-negative
 */
export function duration(seconds) {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
}

/**
 * A time relative to now: "in 2 min 5 s" or "12 s ago".
 * @param {number} atMs milliseconds since the epoch
 */
export function relative(atMs) {
  const delta = (atMs - Date.now()) / 1000;
  return delta >= 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`;
}
