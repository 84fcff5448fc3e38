/** Milliseconds from a monotonic clock where the runtime has one (browsers, Node), else Date. */
export function nowMs(): number {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf ? perf.now() : Date.now();
}
