/** Why a trial's evaluation failed. */
export type EvaluationFailureKind = 'timeout' | 'cancelled' | 'shutdown' | 'threw' | 'failed' | 'invalid-result';

/**
 * A trial's evaluation failed: the evaluator threw, timed out, was cancelled, or returned an
 * unusable value. `reason` (also the message) is what the trial is failed with.
 */
export class EvaluationError extends Error {
  constructor(
    readonly kind: EvaluationFailureKind,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = 'EvaluationError';
  }
}

/**
 * Thrown by out-of-process evaluators (commands, HTTP endpoints, evaluator threads) when the
 * remote side failed: a non-zero exit, an HTTP error, no JSON result. Reported as
 * "evaluator failed: …" rather than "evaluator threw: …".
 */
export class EvaluatorFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluatorFailure';
  }
}

/** An evaluator spec could not be parsed or loaded (bad `name=spec`, missing module, no function). */
export class EvaluatorSpecError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EvaluatorSpecError';
  }
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
