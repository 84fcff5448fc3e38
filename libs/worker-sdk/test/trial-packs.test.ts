import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { TrialEvent } from '@apiary/contracts';
import { packJobId, parseTrialJobData, toPackMessage, TrialDurations, trialQueueJob } from '@apiary/worker-sdk';
import { exhaustedEvents } from '../src/failed-trial-jobs.js';
import { jobsOf } from './support/trials.js';

const ended = (experimentId: string, ms: number, at = 1_000_000): TrialEvent => ({
  kind: 'completed',
  experimentId,
  trialId: `t-${Math.random()}`,
  worker: 'w',
  attempt: 1,
  outcome: { values: { loss: 0 } },
  startedAt: at - ms,
  at,
});

describe('TrialDurations (when to pack)', () => {
  it('packs only once enough trials of the experiment ended, and only short ones', () => {
    const d = new TrialDurations({ minSamples: 3, belowMs: 10, packMs: 20, maxTrials: 8 });
    expect(d.packSize('a')).toBe(1);
    d.observe([ended('a', 4), ended('a', 4)]);
    expect(d.packSize('a')).toBe(1); // 2 of 3 samples
    d.observe([ended('a', 4), ended('b', 50), ended('b', 50), ended('b', 50)]);
    expect(d.packSize('a')).toBe(5); // 20 ms / 4 ms
    expect(d.packSize('b')).toBe(1); // 50 ms ≥ belowMs
    d.observe(Array.from({ length: 3 }, () => ended('c', 0)));
    expect(d.packSize('c')).toBe(8); // no-op trials: maxTrials
    // Events without a start (never ran), the transport's give-ups and non-terminal ones do not count.
    d.observe([{ kind: 'failed', experimentId: 'e', trialId: 'x', worker: null, attempt: 1, reason: 'lost', exhausted: true, startedAt: null, at: 1 }]);
    d.observe(Array.from({ length: 3 }, () => ({ kind: 'failed' as const, experimentId: 'e', trialId: 'x', worker: 'w', attempt: 3, reason: 'worker lost 3 times', exhausted: true, startedAt: 1, at: 2 })));
    d.observe([{ kind: 'started', experimentId: 'e', trialId: 'x', worker: 'w', attempt: 1, at: 1 }]);
    expect(d.packSize('e')).toBe(1);
  });

  it('takes the plain mean of the first durations, then follows a change (moving average)', () => {
    const first = new TrialDurations({ minSamples: 4, belowMs: 10, packMs: 20 });
    first.observe([ended('a', 30), ended('a', 0), ended('a', 0), ended('a', 2)]);
    expect(first.packSize('a')).toBe(2); // mean 8 ms: 20 / 8
    const d = new TrialDurations({ minSamples: 1, belowMs: 10 });
    d.observe(Array.from({ length: 5 }, () => ended('a', 1)));
    expect(d.packSize('a')).toBeGreaterThan(1);
    d.observe(Array.from({ length: 40 }, () => ended('a', 200)));
    expect(d.packSize('a')).toBe(1);
  });

  it('plans packs per experiment, in dispatch order, as even as the pack size allows', () => {
    const d = new TrialDurations({ minSamples: 1, packMs: 20, maxTrials: 4 });
    d.observe([ended('a', 0)]);
    const plan = d.plan([...jobsOf('a', 5), ...jobsOf('b', 2), ...jobsOf('a', 5, 5)]);
    expect(plan.map((g) => g.map((j) => j.trialId))).toEqual([
      ['a-0', 'a-1', 'a-2', 'a-3'],
      ['a-4', 'a-5', 'a-6'],
      ['a-7', 'a-8', 'a-9'],
      ['b-0'],
      ['b-1'],
    ]);
  });

  it('rejects nonsensical options', () => {
    expect(() => new TrialDurations({ maxTrials: 0 })).toThrow(/packing.maxTrials must be an integer ≥ 1, got 0/);
    expect(() => new TrialDurations({ belowMs: -1 })).toThrow(/packing.belowMs must be a positive number/);
    expect(() => new TrialDurations({ packMs: Number.NaN })).toThrow(/packing.packMs/);
    expect(() => new TrialDurations({ minSamples: 1.5 })).toThrow(/packing.minSamples/);
  });
});

describe('pack messages', () => {
  it('round-trips a pack, and names the bad trial of an invalid one', () => {
    const jobs = jobsOf('a', 3);
    const queued = trialQueueJob(jobs, 2);
    expect(queued).toMatchObject({ name: 'trials', opts: { jobId: packJobId(['a-0', 'a-1', 'a-2']), attempts: 1 } });
    expect(parseTrialJobData(queued.data)).toEqual({ jobs, maxRetries: 2, firstAttempt: 1 });
    expect(parseTrialJobData(trialQueueJob(jobs, 2, { firstAttempt: 3 }).data).firstAttempt).toBe(3);
    expect(() => parseTrialJobData({ ...queued.data, firstAttempt: 0 })).toThrow(/firstAttempt must be an integer ≥ 1, got 0/);
    expect(trialQueueJob(jobs.slice(0, 1), 2)).toMatchObject({ name: 'trial', opts: { jobId: 'a-0' } });
    expect(trialQueueJob(jobs.slice(0, 1), 2, { asPack: true }).name).toBe('trials');
    expect(packJobId(['a-0', 'a-1'])).not.toBe(packJobId(['a-1', 'a-0']));
    expect(() => parseTrialJobData({ pack: [] })).toThrow(/pack must be a non-empty array/);
    expect(() => parseTrialJobData({ pack: [jobs[0], { trialId: 'x' }] })).toThrow(/trial job 1 of the pack/);
    expect(() => toPackMessage([], 1)).toThrow(/at least one trial/);
  });

  it('a pack that BullMQ failed gives one exhausted failure per trial it names', () => {
    const job = { id: '%Pabc', data: { pack: [...jobsOf('a', 2), { trialId: 'garbled' }, 7] }, failedReason: 'job stalled more than allowable limit', stalledCounter: 3, attemptsStarted: 4, processedBy: 'w1', processedOn: 5, finishedOn: 9 } as unknown as Job;
    expect(exhaustedEvents(job)).toEqual(
      ['a-0', 'a-1', 'garbled'].map((trialId) => ({
        kind: 'failed',
        experimentId: trialId === 'garbled' ? '' : 'a',
        trialId,
        worker: 'w1',
        attempt: 4,
        reason: 'worker lost 3 times (stalled)',
        exhausted: true,
        startedAt: 5,
        at: 9,
      })),
    );
  });
});
