import { parseNamedEvaluatorSpecs, type NamedEvaluatorSpec } from '@apiary/worker-sdk';

/** The worker's settings, validated: from the command line, with the environment as fallback. */
export interface WorkerConfig {
  /** Redis URL (`--redis`, else `REDIS_URL`). */
  redisUrl: string;
  /** The evaluators to serve (`--evaluator name=spec`, repeatable). */
  evaluators: NamedEvaluatorSpec[];
  /** Trials at once per evaluator. @defaultValue 1 */
  concurrency: number;
  /** Worker name in events. @defaultValue `<hostname>:<pid>` (runWorker's default) */
  name: string | undefined;
  /** Trial lock duration, ms. @defaultValue 30000 */
  lockDurationMs: number;
  /** Stalled-job check interval, ms. @defaultValue lockDurationMs */
  stalledIntervalMs: number | undefined;
  /** Grace for running trials on SIGTERM/SIGINT, ms. @defaultValue 30000 */
  drainTimeoutMs: number;
  /** BullMQ key prefix of the queues. @defaultValue QUEUE_PREFIX (runWorker's default) */
  prefix: string | undefined;
}

/** Options as commander hands them over (strings, unvalidated). */
export interface RawWorkerOptions {
  evaluator?: string[];
  redis?: string;
  concurrency?: string;
  name?: string;
  lockDuration?: string;
  stalledInterval?: string;
  drainTimeout?: string;
  prefix?: string;
}

/** The settings are invalid; the message lists every problem, one a line. */
export class WorkerConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid worker settings:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'WorkerConfigError';
  }
}

/** The environment variables the worker reads. The only place in the worker that reads `process.env`. */
export interface WorkerEnvironment {
  /** Fallback for `--redis`. */
  REDIS_URL: string | undefined;
  /** Passed on to command evaluators (they inherit the worker's environment). */
  all: Readonly<Record<string, string | undefined>>;
}

/** Reads the worker's environment variables. */
export function readWorkerEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): WorkerEnvironment {
  return { REDIS_URL: env['REDIS_URL'] || undefined, all: { ...env } };
}

/** Validates the command line (and the environment fallback); throws WorkerConfigError with every problem. */
export function resolveWorkerConfig(raw: RawWorkerOptions, env: WorkerEnvironment): WorkerConfig {
  const problems: string[] = [];
  const int = (flag: string, text: string | undefined, fallback: number | undefined, min: number): number | undefined => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) {
      problems.push(`${flag}: expected an integer ≥ ${min}, got "${text}"`);
      return fallback;
    }
    return n;
  };

  const redisUrl = raw.redis ?? env.REDIS_URL;
  if (redisUrl === undefined) problems.push('--redis: no Redis URL; pass --redis redis://host:6379 or set REDIS_URL');
  else if (!isRedisUrl(redisUrl)) problems.push(`${raw.redis !== undefined ? '--redis' : 'REDIS_URL'}: expected a redis:// or rediss:// URL, got "${redisUrl}"`);

  let evaluators: NamedEvaluatorSpec[] = [];
  if (!raw.evaluator?.length) problems.push('--evaluator: at least one <name>=<spec> is needed, e.g. --evaluator branin=./branin.mjs');
  else {
    try {
      evaluators = parseNamedEvaluatorSpecs(raw.evaluator);
    } catch (e) {
      problems.push(`--evaluator: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  const name = raw.name?.trim();
  if (raw.name !== undefined && !name) problems.push('--name: must not be empty');
  if (raw.prefix !== undefined && !/^\S+$/.test(raw.prefix)) problems.push(`--prefix: expected a non-empty prefix without spaces, got "${raw.prefix}"`);
  const config: WorkerConfig = {
    redisUrl: redisUrl ?? '',
    evaluators,
    concurrency: int('--concurrency', raw.concurrency, 1, 1) ?? 1,
    name: name || undefined,
    lockDurationMs: int('--lock-duration', raw.lockDuration, 30_000, 100) ?? 30_000,
    stalledIntervalMs: int('--stalled-interval', raw.stalledInterval, undefined, 10),
    drainTimeoutMs: int('--drain-timeout', raw.drainTimeout, 30_000, 0) ?? 30_000,
    prefix: raw.prefix,
  };
  if (problems.length) throw new WorkerConfigError(problems);
  return config;
}

function isRedisUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}
