import type { ParameterValues } from '@apiary/contracts';

/**
 * Messages between the worker-sdk and an evaluator thread (see thread-bootstrap.ts). One thread
 * runs one trial at a time; `id` ties every message to its run.
 */
export type ToThread =
  | { type: 'run'; id: number; parameters: ParameterValues; trialId: string; experimentId: string; attempt: number }
  | { type: 'abort'; id: number; reason: string };

/** Messages from an evaluator thread. */
export type FromThread =
  | { type: 'ready' }
  | { type: 'load-error'; message: string }
  | { type: 'not-a-function'; found: string }
  | { type: 'report'; id: number; step: number; value: number }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; name: string; message: string };
