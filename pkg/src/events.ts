/**
 * Event listeners of one client and the delivery of the events the core queues, shared by
 * the main entry and the landing-page entry (`browser-oauth/login`).
 *
 * @module
 */

/** `JSON.parse`, taken when this module is evaluated (design.md: "never the live globals"). */
const parseJson = JSON.parse;

/** A client's event listeners, by event type. */
export type Listeners = Map<string, Set<(event: never) => void>>;

/** The listeners a configuration's `on` gives, one per event type. */
export function listenersOf(on: Record<string, ((event: never) => void) | undefined> | undefined): Listeners {
  const listeners: Listeners = new Map();
  for (const [type, listener] of Object.entries(on ?? {})) if (listener !== undefined) listeners.set(type, new Set([listener]));
  return listeners;
}

/** Adds `listener` for events of `type`. */
export function addListener(listeners: Listeners, type: string, listener: (event: never) => void): void {
  const set = listeners.get(type) ?? new Set();
  set.add(listener);
  listeners.set(type, set);
}

/** Removes `listener` for events of `type` (nothing when it was not added). */
export function removeListener(listeners: Listeners, type: string, listener: (event: never) => void): void {
  listeners.get(type)?.delete(listener);
}

/**
 * Delivers the events the core queued (`events`, its JSON array; `undefined` when none) to
 * their listeners. A listener that throws does not stop the others: its error is rethrown
 * in a microtask.
 */
export function deliver(listeners: Listeners, events: string | undefined): void {
  if (events === undefined) return;
  for (const event of parseJson(events) as { type: string }[]) {
    for (const listener of listeners.get(event.type) ?? []) {
      try {
        listener(event as never);
      } catch (error) {
        queueMicrotask(() => { throw error; });
      }
    }
  }
}
