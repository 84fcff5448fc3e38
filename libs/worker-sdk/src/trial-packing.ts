import { groupBy, type TrialEvent, type TrialJob } from '@apiary/contracts';

/**
 * When BullmqDispatcher packs several trials into one BullMQ job. A job costs the transport
 * about a millisecond of CPU (its add, `moveToActive`, `moveToFinished`: some 40 Redis commands),
 * far more than a trial that takes a millisecond itself; packing such trials divides that cost
 * among them. A pack runs its trials one after another in one worker slot, so only trials known
 * to be short are packed: those of experiments whose recent trials took less than `belowMs` on
 * average, in packs whose expected run time stays under `packMs`.
 */
export interface TrialPackingOptions {
  /** An experiment's trials are packed once its recent trials took less than this on average (ms). @defaultValue 10 */
  belowMs?: number;
  /** A pack's expected run time (its trials × their recent average) stays below this (ms). @defaultValue 25 */
  packMs?: number;
  /** Trials in one pack at most. @defaultValue 16 */
  maxTrials?: number;
  /** Trials of an experiment that must have ended (with a start time) before its average counts. @defaultValue 8 */
  minSamples?: number;
}

/** Experiments whose durations are remembered at most (the least recently seen are forgotten). */
const MAX_EXPERIMENTS = 1000;
/** Weight of the newest duration in the moving average. */
const SMOOTHING = 0.1;

/**
 * Recent trial durations per experiment, from the end events a scheduler reads (`at - startedAt`,
 * both taken on the worker), and the pack size they allow.
 */
export class TrialDurations {
  private readonly belowMs: number;
  private readonly packMs: number;
  private readonly maxTrials: number;
  private readonly minSamples: number;
  private readonly byExperiment = new Map<string, { average: number; samples: number }>();

  constructor(options: TrialPackingOptions = {}) {
    this.belowMs = positive(options.belowMs ?? 10, 'belowMs');
    this.packMs = positive(options.packMs ?? 25, 'packMs');
    this.maxTrials = wholeAtLeast(options.maxTrials ?? 16, 1, 'maxTrials');
    this.minSamples = wholeAtLeast(options.minSamples ?? 8, 1, 'minSamples');
  }

  /** Takes the durations of the trials these events end (not of those the transport gave up on: a lost worker says nothing of a trial's length). */
  observe(events: readonly TrialEvent[]): void {
    for (const event of events) {
      if ((event.kind !== 'completed' && event.kind !== 'failed') || event.startedAt === null) continue;
      if (event.kind === 'failed' && event.exhausted) continue;
      const duration = Math.max(0, event.at - event.startedAt);
      const seen = this.byExperiment.get(event.experimentId);
      if (seen) {
        this.byExperiment.delete(event.experimentId); // re-inserted last: the map's order is recency
        seen.samples += 1;
        // The plain mean of the first samples (a slow first trial does not linger), then a moving average.
        seen.average += Math.max(SMOOTHING, 1 / seen.samples) * (duration - seen.average);
        this.byExperiment.set(event.experimentId, seen);
      } else {
        this.byExperiment.set(event.experimentId, { average: duration, samples: 1 });
        if (this.byExperiment.size > MAX_EXPERIMENTS) this.byExperiment.delete(this.byExperiment.keys().next().value!);
      }
    }
  }

  /** Trials of this experiment per pack: 1 (no packing) until its trials are known to be short. */
  packSize(experimentId: string): number {
    const seen = this.byExperiment.get(experimentId);
    if (!seen || seen.samples < this.minSamples || seen.average >= this.belowMs) return 1;
    return Math.max(1, Math.min(this.maxTrials, Math.floor(this.packMs / Math.max(seen.average, 1e-3))));
  }

  /**
   * Splits one evaluator's jobs into what to enqueue: single jobs, and packs of one experiment's
   * trials in dispatch order, as even in size as `packSize` allows.
   */
  plan(jobs: readonly TrialJob[]): TrialJob[][] {
    const out: TrialJob[][] = [];
    for (const [experimentId, list] of groupBy(jobs, (job) => job.experimentId)) {
      const size = this.packSize(experimentId);
      const count = Math.ceil(list.length / size);
      for (let p = 0, start = 0; p < count; p++) {
        const end = start + Math.ceil((list.length - start) / (count - p));
        out.push(list.slice(start, end));
        start = end;
      }
    }
    return out;
  }
}

function positive(x: number, name: string): number {
  if (!(Number.isFinite(x) && x > 0)) throw new RangeError(`packing.${name} must be a positive number, got ${x}`);
  return x;
}

function wholeAtLeast(x: number, min: number, name: string): number {
  if (!Number.isInteger(x) || x < min) throw new RangeError(`packing.${name} must be an integer ≥ ${min}, got ${x}`);
  return x;
}
