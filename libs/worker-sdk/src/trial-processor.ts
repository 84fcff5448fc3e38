import type { TrialEvent, TrialJob } from '@apiary/contracts';
import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import { EvaluationError, messageOf } from './errors.js';
import type { Evaluator } from './evaluator.js';
import { cancelledReason } from './execute-trial.js';
import { runTrialWithEvents } from './trial-events.js';
import { parseTrialJobData, stallVerdict, type TrialPackMessage } from './trial-message.js';
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
  /** Which of these trials were cancelled (one look for a pack's waiting trials). */
  cancelledAmong(trialIds: readonly string[]): Promise<Set<string>>;
  cancelPollMs: number;
  onPublishError?: ((error: unknown) => void) | undefined;
  /** See TrialRun's `startedDelayMs`. */
  startedDelayMs?: number | undefined;
  /** Enqueues trials of a pack as a pack of their own (see packSplitAfterMs). @defaultValue none: a pack runs all its trials */
  handBack?: ((jobs: readonly TrialJob[], maxRetries: number | undefined, attempt: number) => Promise<void>) | undefined;
  /** How long a trial of a pack runs before the trials behind it are handed back. @defaultValue DEFAULT_PACK_SPLIT_AFTER_MS */
  packSplitAfterMs?: number | undefined;
  /** Whether no job waits in this trials queue (slots are idle somewhere). @defaultValue none: packs are not spread */
  queueIsEmpty?: (() => Promise<boolean>) | undefined;
  /** Expected work (ms) left in a pack above which half of it is handed back when the queue is empty. @defaultValue DEFAULT_PACK_SPREAD_MS */
  packSpreadMs?: number | undefined;
  /** Errors that do not end a trial (a pack that could not be split). @defaultValue none */
  onError?: ((error: Error) => void) | undefined;
}

/** How long a trial of a pack runs before the trials behind it are handed back to the queue. */
export const DEFAULT_PACK_SPLIT_AFTER_MS = 100;

/**
 * A pack whose remaining trials are expected to take longer than this (their number × the mean
 * of those run so far) hands half of them back when the queue is empty, so that idle slots share
 * them: worth it when that work is well above a job's cost (about a millisecond).
 */
export const DEFAULT_PACK_SPREAD_MS = 10;

/**
 * The BullMQ processor of a `trials.<evaluator>` queue, for jobs of one trial and packs of
 * several (run one after another; a cancelled trial of a pack is skipped; the trials behind one
 * that runs longer than `packSplitAfterMs` are handed back to the queue as a pack of their own,
 * and so is the second half of the rest when the queue is empty and that half is worth more
 * than `packSpreadMs` of work). It never throws for an
 * evaluator failure: the failure is published as a `failed` event and the job completes, so that
 * BullMQ does not retry it. The only re-runs are of jobs whose worker died (lock expired, job
 * stalled); one that has stalled more than its `maxRetries` is not run again but each of its
 * trials failed with `exhausted: true`. A trial stopped by shutdown goes back to the wait list for
 * another worker, uncounted, with the trials of its pack that had not run yet.
 */
export function trialProcessor(ctx: TrialProcessorContext): (job: Job, token?: string) => Promise<void> {
  return async (bullJob, token) => {
    let parsed: ReturnType<typeof parseTrialJobData>;
    try {
      parsed = parseTrialJobData(bullJob.data);
    } catch (e) {
      throw new UnrecoverableError(`invalid trial job ${bullJob.id ?? ''}: ${messageOf(e)}`);
    }
    const { jobs, maxRetries, firstAttempt } = parsed;
    const attempt = firstAttempt - 1 + Math.max(1, bullJob.attemptsStarted);
    const lost = stallVerdict(bullJob.stalledCounter, maxRetries ?? ctx.defaultMaxRetries);
    if (lost) {
      await Promise.all(
        jobs.map((job) =>
          ctx.publish({ kind: 'failed', experimentId: job.experimentId, trialId: job.trialId, worker: ctx.worker, attempt, reason: lost, exhausted: true, startedAt: null, at: Date.now() }),
        ),
      );
      return;
    }
    if (jobs.length === 1) {
      await runOne(ctx, jobs[0]!, attempt, bullJob, token, () => bullJob.data);
      return;
    }

    // A pack. End events are not awaited one by one (a round trip per trial) but all before the job
    // completes, so that none is lost if this worker dies: the pack then runs again.
    const ends: Promise<void>[] = [];
    const packCtx: TrialProcessorContext = {
      ...ctx,
      publish(event) {
        if (event.kind !== 'completed' && event.kind !== 'failed') return ctx.publish(event);
        ends.push(ctx.publish(event));
        return Promise.resolve();
      },
    };
    const packOf = (list: readonly TrialJob[]): TrialPackMessage => ({ ...(bullJob.data as TrialPackMessage), pack: [...list] });
    // Cancelled trials are skipped. Like a running trial's cancellation poll, the cancel keys are
    // looked at once cancelPollMs has passed: since the pack was enqueued, then since the last look
    // (so a pack that is taken at once costs no look).
    let cancelled = new Set<string>();
    let lookedAt = bullJob.timestamp;
    /** Reads which of these trials were cancelled (on a Redis error, keeps what it knew). */
    const lookAtCancels = async (list: readonly TrialJob[]): Promise<void> => {
      cancelled = await ctx.cancelledAmong(list.map((j) => j.trialId)).catch(() => cancelled);
      lookedAt = Date.now();
    };
    let end = jobs.length;
    /** Hands the trials from the `cut`-th on back to the queue as a pack of their own, and shortens this one. */
    const handBackFrom = async (cut: number): Promise<void> => {
      const rest = jobs.slice(cut, end);
      // Less those cancelled by now: the new pack looks at the cancel keys only cancelPollMs after it is enqueued.
      await lookAtCancels(rest);
      const kept = rest.filter((j) => !cancelled.has(j.trialId));
      try {
        if (kept.length > 0) await ctx.handBack!(kept, maxRetries, attempt);
      } catch (e) {
        ctx.onError?.(new Error(`could not hand back ${kept.length} trials of pack ${bullJob.id ?? ''} (they run here): ${messageOf(e)}`));
        return;
      }
      end = cut;
      // Else a re-run after a stall would run them here too (the first result counts).
      await bullJob.updateData(packOf(jobs.slice(0, end))).catch((e: unknown) => ctx.onError?.(new Error(`could not shorten trial pack ${bullJob.id ?? ''}: ${messageOf(e)}`)));
    };
    // Time spent in this pack's trials so far, to tell whether the rest is worth spreading.
    let ranMs = 0;
    let ran = 0;
    try {
      for (let i = 0; i < end; i++) {
        if (Date.now() - lookedAt >= ctx.cancelPollMs) await lookAtCancels(jobs.slice(i, end));
        if (cancelled.has(jobs[i]!.trialId)) continue;
        // A trial that runs long (it was packed because its experiment's trials were short) hands
        // the trials behind it back to the queue, for any free slot, instead of holding them.
        let handingBack: Promise<void> | undefined;
        const splitTimer = i + 1 < end && ctx.handBack ? setTimeout(() => (handingBack = handBackFrom(i + 1)), ctx.packSplitAfterMs ?? DEFAULT_PACK_SPLIT_AFTER_MS) : undefined;
        const startedAt = performance.now();
        try {
          await runOne(packCtx, jobs[i]!, attempt, bullJob, token, () => packOf(jobs.slice(i, end)));
        } finally {
          clearTimeout(splitTimer);
          await handingBack;
        }
        ranMs += performance.now() - startedAt;
        ran += 1;
        // Slots left idle while this one works through the pack (the queue is empty): when the
        // rest is worth more than a job's cost, hand its second half back for another slot. Two
        // trials at least make the mean, so that one pause (a GC) does not split a pack.
        const left = end - i - 1;
        if (left >= 2 && ran >= 2 && ctx.handBack && ctx.queueIsEmpty && (ranMs / ran) * left >= (ctx.packSpreadMs ?? DEFAULT_PACK_SPREAD_MS) && (await ctx.queueIsEmpty().catch(() => false))) {
          await handBackFrom(end - Math.floor(left / 2));
        }
      }
    } finally {
      // Settled either way (no unhandled rejection); a failed publication fails the job below.
      const published = await Promise.allSettled(ends);
      const failed = published.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
  };
}

/**
 * Runs one trial with its events. On shutdown the job goes back to the wait list with `rest()` as
 * its data (the trials not yet run), and BullMQ is told so (WaitingError).
 */
async function runOne(ctx: TrialProcessorContext, job: TrialJob, attempt: number, bullJob: Job, token: string | undefined, rest: () => unknown): Promise<void> {
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
      const data = rest();
      if (data !== bullJob.data) await bullJob.updateData(data);
      await bullJob.moveToWait(token);
      throw new WaitingError();
    }
    throw e;
  } finally {
    stopWatching();
    ctx.shutdown.removeEventListener('abort', onShutdown);
  }
}
