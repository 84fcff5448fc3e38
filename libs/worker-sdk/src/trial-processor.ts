import type { TrialEvent } from '@apiary/contracts';
import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import { EvaluationError, messageOf } from './errors.js';
import type { Evaluator } from './evaluator.js';
import { cancelledReason } from './execute-trial.js';
import { runTrialWithEvents } from './trial-events.js';
import { parseTrialMessage, stallVerdict } from './trial-message.js';
import { watchCancellation } from './cancel-watch.js';

/** What a trials-queue processor needs (see runWorker). */
export interface TrialProcessorContext {
  evaluator: Evaluator;
  /** Worker name carried by the events. */
  worker: string;
  publish(event: TrialEvent): Promise<void>;
  objectiveFor?: ((experimentId: string) => string | undefined) | undefined;
  /** Stall limit of jobs that carry none. */
  defaultMaxRetries: number;
  /** Aborted (with shutdownReason) when running trials must stop: the drain timeout passed. */
  shutdown: AbortSignal;
  /** Whether the trial was cancelled (polled while it runs). */
  isCancelled(trialId: string): Promise<boolean>;
  cancelPollMs: number;
  onPublishError?: ((error: unknown) => void) | undefined;
  /** See TrialRun's `startedDelayMs`. */
  startedDelayMs?: number | undefined;
}

/**
 * The BullMQ processor of a `trials.<evaluator>` queue. It never throws for an evaluator failure:
 * the failure is published as a `failed` event and the job completes, so that BullMQ does not
 * retry it. The only re-runs are of jobs whose worker died (lock expired, job stalled); one that
 * has stalled more than its `maxRetries` is not run again but failed with `exhausted: true`. A
 * trial stopped by shutdown goes back to the wait list for another worker, uncounted.
 */
export function trialProcessor(ctx: TrialProcessorContext): (job: Job, token?: string) => Promise<void> {
  return async (bullJob, token) => {
    let parsed: ReturnType<typeof parseTrialMessage>;
    try {
      parsed = parseTrialMessage(bullJob.data);
    } catch (e) {
      throw new UnrecoverableError(`invalid trial job ${bullJob.id ?? ''}: ${messageOf(e)}`);
    }
    const { job } = parsed;
    const attempt = Math.max(1, bullJob.attemptsStarted);
    const lost = stallVerdict(bullJob.stalledCounter, parsed.maxRetries ?? ctx.defaultMaxRetries);
    if (lost) {
      await ctx.publish({ kind: 'failed', experimentId: job.experimentId, trialId: job.trialId, worker: ctx.worker, attempt, reason: lost, exhausted: true, startedAt: null, at: Date.now() });
      return;
    }

    const controller = new AbortController();
    const onShutdown = (): void => controller.abort(ctx.shutdown.reason);
    if (ctx.shutdown.aborted) onShutdown();
    else ctx.shutdown.addEventListener('abort', onShutdown, { once: true });
    const stopWatching = watchCancellation(() => ctx.isCancelled(job.trialId), ctx.cancelPollMs, () => controller.abort(cancelledReason()));
    try {
      await runTrialWithEvents({
        evaluator: ctx.evaluator,
        job,
        worker: ctx.worker,
        attempt,
        objective: ctx.objectiveFor?.(job.experimentId),
        signal: controller.signal,
        publish: ctx.publish,
        onPublishError: ctx.onPublishError,
        startedDelayMs: ctx.startedDelayMs,
      });
    } catch (e) {
      if (e instanceof EvaluationError && e.kind === 'shutdown' && token) {
        await bullJob.moveToWait(token);
        throw new WaitingError();
      }
      throw e;
    } finally {
      stopWatching();
      ctx.shutdown.removeEventListener('abort', onShutdown);
    }
  };
}
