import { QUEUE_PREFIX, ValidationError, zodProblems } from '@apiary/contracts';
import { z } from 'zod';

/** Log levels, most severe first; LOG_LEVEL keeps that level and every more severe one. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** The scheduler's environment variables. Empty values count as unset. */
const SchedulerEnvSchema = z
  .object({
    /** HTTP port. @defaultValue 8080 */
    PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
    /** Interface to listen on. @defaultValue '0.0.0.0' */
    HOST: z.string().min(1).default('0.0.0.0'),
    /** Redis holding the experiment store and the BullMQ queues. @defaultValue 'redis://127.0.0.1:6379' */
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL')
      .default('redis://127.0.0.1:6379'),
    /** Prefix of the experiment store's Redis keys. @defaultValue 'apiary:' */
    APIARY_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - (at most 64)').default('apiary:'),
    /** BullMQ key prefix; workers must use the same. @defaultValue contracts' QUEUE_PREFIX, '{apiary}' */
    APIARY_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.:{}-]{1,64}$/, 'letters, digits and _ . : { } - (at most 64)').default(QUEUE_PREFIX),
    /** `disabled` turns the bearer-token check off (local development only). @defaultValue 'enabled' */
    APIARY_AUTH: z.enum(['enabled', 'disabled']).default('enabled'),
    /** The bearer token every request must carry; required unless APIARY_AUTH=disabled. */
    APIARY_TOKEN: z.string().min(16, 'must be at least 16 characters').regex(/^\S+$/, 'must not contain whitespace').optional(),
    /** `true` lets /health and /ready answer without the token (Kubernetes probes). @defaultValue 'false' */
    APIARY_PUBLIC_HEALTH: flag.default(false),
    /**
     * `false` gives every trial a BullMQ job of its own; by default the trials of experiments whose
     * trials take milliseconds are packed several to a job (worker-sdk's BullmqDispatcher `packing`).
     * @defaultValue 'true'
     */
    APIARY_TRIAL_PACKING: flag.default(true),
    /** @defaultValue 'info' */
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  });

const TOKEN_REQUIRED = { path: 'APIARY_TOKEN', message: 'is required (or set APIARY_AUTH=disabled to run without authentication)' };

/** The scheduler's settings, validated. */
export interface SchedulerConfig {
  port: number;
  host: string;
  /** `prefix`: the experiment store's keys; `queuePrefix`: BullMQ's. */
  redis: { url: string; prefix: string; queuePrefix: string };
  /** `token` is null only when authentication is disabled. */
  auth: { enabled: boolean; token: string | null; publicHealth: boolean };
  /** Whether very short trials are packed several to a BullMQ job. */
  trialPacking: boolean;
  logLevel: LogLevel;
}

/**
 * Reads and validates the scheduler's settings from the environment (`process.env` by default).
 * Throws contracts' ValidationError naming every bad variable and why.
 */
export function loadSchedulerConfig(env: Readonly<Record<string, string | undefined>> = process.env): SchedulerConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = SchedulerEnvSchema.safeParse(present);
  // Checked apart from the schema so that it is reported together with any other problem.
  const tokenMissing = present['APIARY_AUTH'] !== 'disabled' && present['APIARY_TOKEN'] === undefined;
  if (!parsed.success || tokenMissing) {
    const problems = parsed.success ? [] : zodProblems(parsed.error);
    throw new ValidationError(tokenMissing ? [...problems, TOKEN_REQUIRED] : problems, 'scheduler environment');
  }
  const e = parsed.data;
  const enabled = e.APIARY_AUTH === 'enabled';
  return {
    port: e.PORT,
    host: e.HOST,
    redis: { url: e.REDIS_URL, prefix: e.APIARY_REDIS_PREFIX, queuePrefix: e.APIARY_QUEUE_PREFIX },
    auth: { enabled, token: enabled ? (e.APIARY_TOKEN ?? null) : null, publicHealth: e.APIARY_PUBLIC_HEALTH },
    trialPacking: e.APIARY_TRIAL_PACKING,
    logLevel: e.LOG_LEVEL,
  };
}
