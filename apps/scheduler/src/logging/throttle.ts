/**
 * `fn`, called at most once per `ms` for each key (`keyOf` of the arguments; one key for all by
 * default), dropping the calls in between; `reset` lets the next calls through. For errors that
 * repeat on every reconnection attempt while Redis is away.
 */
export function throttle<A extends unknown[]>(ms: number, fn: (...args: A) => void, keyOf: (...args: A) => string = () => ''): { (...args: A): void; reset(): void } {
  const last = new Map<string, number>();
  const call = (...args: A): void => {
    const key = keyOf(...args);
    const now = Date.now();
    if (now - (last.get(key) ?? -Infinity) < ms) return;
    if (last.size >= 1000) last.clear();
    last.set(key, now);
    fn(...args);
  };
  return Object.assign(call, { reset: () => last.clear() });
}
