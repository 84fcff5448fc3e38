export { startRedis, type TestRedis } from '@apiary/test-support';

/** A RedisStore key prefix no other test uses (no hash tag: the store adds one per experiment). */
export function uniquePrefix(label: string): string {
  return `test:${label}:${Math.random().toString(36).slice(2, 10)}:`;
}
