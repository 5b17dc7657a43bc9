// What the tiny runtime's engine (QuickJS) lacks and notify uses: timers driven by the native
// loop, AbortController, URL and URLSearchParams (WHATWG's, see url.ts), and a few newer
// built-ins. Imported first by the tiny entry; never part of the Node build.
import { coreJs, URL as URLImpl } from './url.ts';

const g = globalThis as Record<string, unknown>;

// Timers: a list ordered by due time, on a clock that never steps back (the wall clock can);
// the native loop calls __tick() between its waits.
declare const __native: { now(): number };
const now = () => __native.now();
interface Timer {
  id: number;
  at: number;
  run: () => void;
}
let timers: Timer[] = [];
let nextTimer = 1;

function setTimeoutImpl(callback: (...args: unknown[]) => void, ms = 0, ...args: unknown[]) {
  const timer = {
    id: nextTimer++,
    at: now() + Math.max(0, Number(ms) || 0),
    run: () => callback(...args),
  };
  const index = timers.findIndex((t) => t.at > timer.at);
  if (index < 0) timers.push(timer);
  else timers.splice(index, 0, timer);
  return timer.id;
}

function clearTimeoutImpl(id: unknown) {
  timers = timers.filter((t) => t.id !== id);
}

/** Runs the timers that are due; the milliseconds until the next one, or -1. */
g.__tick = (): number => {
  const due = now();
  while (timers.length && timers[0]!.at <= due) timers.shift()!.run();
  return timers.length ? Math.max(0, timers[0]!.at - now()) : -1;
};
g.setTimeout = setTimeoutImpl;
g.clearTimeout = clearTimeoutImpl;
g.queueMicrotask = (callback: () => void) => void Promise.resolve().then(callback);

type Listener = (event: { type: string }) => void;

class AbortSignalImpl {
  aborted = false;
  reason: unknown = undefined;
  onabort: Listener | null = null;
  private listeners: { listener: Listener; once: boolean }[] = [];
  addEventListener(type: string, listener: Listener, options?: { once?: boolean }) {
    if (type !== 'abort' || this.listeners.some((l) => l.listener === listener)) return;
    this.listeners.push({ listener, once: Boolean(options?.once) });
  }
  removeEventListener(type: string, listener: Listener) {
    if (type === 'abort') this.listeners = this.listeners.filter((l) => l.listener !== listener);
  }
  throwIfAborted() {
    if (this.aborted) throw this.reason;
  }
  /** @internal */
  fire(reason: unknown) {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const event = { type: 'abort' };
    const listeners = this.listeners;
    this.listeners = listeners.filter((l) => !l.once);
    this.onabort?.(event);
    for (const { listener } of listeners) listener(event);
  }
}

class AbortControllerImpl {
  readonly signal = new AbortSignalImpl();
  abort(reason?: unknown) {
    const error = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
    this.signal.fire(reason === undefined ? error : reason);
  }
}

g.AbortController = AbortControllerImpl;
g.AbortSignal = AbortSignalImpl;
g.URL = URLImpl;
// Loaded when first used (Slack app mode's form bodies).
Object.defineProperty(g, 'URLSearchParams', {
  get: () => coreJs().URLSearchParams,
  configurable: true,
});

function define(target: object, name: string, value: unknown) {
  if (!(name in target)) {
    Object.defineProperty(target, name, { value, writable: true, configurable: true });
  }
}

define(Object, 'hasOwn', (object: object, key: PropertyKey) =>
  Object.prototype.hasOwnProperty.call(object, key),
);
function at<T>(this: ArrayLike<T>, index: number): T | undefined {
  const i = Math.trunc(index) || 0;
  return this[i < 0 ? this.length + i : i];
}
define(Array.prototype, 'at', at);
define(String.prototype, 'at', at);
// ES2024: a lone surrogate (which encodeURIComponent refuses) as U+FFFD.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
define(String.prototype, 'toWellFormed', function toWellFormed(this: string) {
  return String(this).replace(LONE_SURROGATE, '\ufffd');
});
define(String.prototype, 'isWellFormed', function isWellFormed(this: string) {
  return !new RegExp(LONE_SURROGATE.source).test(String(this));
});
