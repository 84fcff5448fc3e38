/**
 * Throughput of the distributed path, against raw BullMQ on the same Redis in the same run.
 *
 *   npm run bench:throughput -- [--trials 2000] [--warmup 500] [--slots 32] [--util-trials 400] [--util-slots 16]
 *                               [--util-ms 1000] [--util-batch 1] [--util-restarts N]
 *                               [--util-raw-samples N] [--util-method qlognei|thompson|sobol] [--batch 1]
 *                               [--util-parallelism N] [--util-refill-fraction F|off] [--parallelism N]
 *                               [--worker inproc|child|both]
 *                               [--parts raw,apiary,util] [--redis URL] [--json OUT]
 *
 * Warm-up: both sides first run `--warmup` (500; 0: none) untimed jobs or trials in the same
 * processes, so that neither is timed while V8 is still compiling its hot paths (a fresh child
 * worker otherwise spends much of a 2,000-trial run doing that).
 *
 * (i)   raw BullMQ: `--trials` no-op jobs added in bulk to one Queue, then drained by one Worker
 *       with concurrency 1, then (a fresh batch) with concurrency 50: jobs/s of the drain; the
 *       CPU of this process (the Worker) and of redis-server per job.
 * (ii)  Apiary end to end: an experiment (`generation: {method: 'sobol'}`, budget `--trials`,
 *       parallelism `--parallelism` (default `--slots`), batchSize `--batch` (1), mode async) through ExperimentRunner +
 *       RedisStore + BullmqDispatcher + runWorker (concurrency `--slots`) with a no-op evaluator:
 *       trials/s from the first dispatch to the budget reached, and the ratio to raw. `--worker`
 *       says where runWorker runs: in this process (`inproc`), in a child process (`child`), or
 *       both, one after the other (default); each first runs a `--warmup`-trial experiment on the
 *       same runner and worker. A profile follows: generation time, Redis commands
 *       per trial (sent, and executed per INFO commandstats), CPU of this process, of the child
 *       worker and of redis-server, the runner's event intake, dispatch and store calls.
 * (iii) Worker utilisation: `--util-trials` trials (default 400, scaled down with `--trials`
 *       below 2000) of a `--util-ms` (1000) evaluator on `--util-slots` (16) slots under GP
 *       generation (qlognei with the default numRestarts/rawSamples unless `--util-restarts`,
 *       `--util-raw-samples`; `--util-method sobol` shows the ceiling without a model; mode
 *       async, parallelism `--util-parallelism` (default = slots; above the slots, the extra
 *       trials wait in the queue and absorb generation time), batchSize `--util-batch`,
 *       `generation.refillBudgetFraction` `--util-refill-fraction` (default: the config's)), the worker in a child process so
 *       that generation does not share its event loop (progress every 30 s):
 *       utilisation = Σ evaluator busy time / (slots × (last finish − first start)).
 *
 * Without `--redis` a throwaway redis-server (no persistence) is started on a free port and
 * stopped by its pid at the end. Goals: (ii) ≥ 50 % of raw; (iii) ≥ 90 %. Figures, with their
 * machine and what limits them: docs/throughput.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ExperimentRunner, listAllTrials, RedisStore, type ExperimentStore, type RunnerEvent, type TrialRecord } from '@apiary/engine';
import { trialsQueueName, type TrialDispatcher } from '@apiary/contracts';
import { BullmqDispatcher, runWorker, type Evaluator } from '@apiary/worker-sdk';
import { Queue, Worker } from 'bullmq';
import { startRedis } from '@apiary/test-support';
import { Redis } from 'ioredis';

const SELF = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Evaluators (also served by the child worker)

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const nowMs = (): number => performance.timeOrigin + performance.now();

function branin(x1: number, x2: number): number {
  const t = x2 - (5.1 / (4 * Math.PI ** 2)) * x1 ** 2 + (5 / Math.PI) * x1 - 6;
  return t ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
}

function evaluatorFor(kind: string, sleepMs: number): Evaluator {
  if (kind === 'noop') return () => 0;
  // Busy for sleepMs; the evaluator's own start and end travel back as extra metrics.
  return async (p) => {
    const start = nowMs();
    await sleep(sleepMs);
    return { objective: branin(Number(p['x1']), Number(p['x2'])), busyStart: start, busyEnd: nowMs() };
  };
}

// ---------------------------------------------------------------------------------------------
// Redis

/** Server-side counters: total command calls (and per command), and redis-server CPU seconds. */
interface RedisCounters {
  calls: number;
  perCommand: Map<string, number>;
  cpuSeconds: number;
}

async function redisCounters(redis: Redis): Promise<RedisCounters> {
  const stats = await redis.info('commandstats');
  const cpu = await redis.info('cpu');
  const perCommand = new Map<string, number>();
  let calls = 0;
  for (const m of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    perCommand.set(m[1]!, Number(m[2]));
    calls += Number(m[2]);
  }
  const num = (key: string): number => Number(new RegExp(`^${key}:([0-9.]+)`, 'm').exec(cpu)?.[1] ?? 0);
  return { calls, perCommand, cpuSeconds: num('used_cpu_sys') + num('used_cpu_user') };
}

/**
 * Commands this process sends to Redis, by name (a pipeline's commands count one each): counted
 * at ioredis's `sendCommand`, which every client here goes through (BullMQ's included). The
 * server's commandstats also count the commands that Lua scripts run, so they say more about
 * Redis's work than about round trips; these say how often this process talks to Redis.
 */
const sentCommands = new Map<string, number>();
function countSentCommands(): void {
  const seen = new WeakSet<object>();
  const proto = Redis.prototype as unknown as { sendCommand(command: { name: string }, ...rest: unknown[]): unknown };
  const original = proto.sendCommand;
  proto.sendCommand = function (this: unknown, command: { name: string }, ...rest: unknown[]) {
    if (!seen.has(command)) {
      seen.add(command);
      sentCommands.set(command.name, (sentCommands.get(command.name) ?? 0) + 1);
    }
    return original.call(this, command, ...rest);
  };
}

function sentSnapshot(): Map<string, number> {
  return new Map(sentCommands);
}

function sentDelta(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of b) if (k !== 'info' && v - (a.get(k) ?? 0) > 0) out.set(k, v - (a.get(k) ?? 0));
  return out;
}

const sumValues = (m: Map<string, number>): number => [...m.values()].reduce((s, v) => s + v, 0);

function counterDelta(a: RedisCounters, b: RedisCounters): RedisCounters {
  const perCommand = new Map<string, number>();
  for (const [k, v] of b.perCommand) {
    const d = v - (a.perCommand.get(k) ?? 0);
    if (d > 0) perCommand.set(k, d);
  }
  return { calls: b.calls - a.calls, perCommand, cpuSeconds: b.cpuSeconds - a.cpuSeconds };
}

function topCommands(perCommand: Map<string, number>, per: number, n = 6): string {
  return [...perCommand.entries()]
    .filter(([k]) => k !== 'info')
    .sort((x, y) => y[1] - x[1])
    .slice(0, n)
    .map(([k, v]) => `${k} ${(v / per).toFixed(1)}`)
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// (i) raw BullMQ

interface RawResult {
  concurrency: number;
  jobs: number;
  addSeconds: number;
  drainSeconds: number;
  jobsPerSecond: number;
  redisCallsPerJob: number;
  sentPerJob: number;
  /** CPU of this process (the Worker) and of redis-server while draining, ms per job. */
  workerCpuMsPerJob: number;
  redisCpuMsPerJob: number;
  /** Closed loop (rawLoop): jobs kept in flight by the producer, and how many complete before it adds again. */
  loop?: { inFlight: number; refill: number };
}

/**
 * Raw BullMQ in a closed loop, the way a scheduler feeds workers: a producer keeps `inFlight` no-op
 * jobs in the queue or running, adding `refill` more (one addBulk) each time that many complete,
 * and one Worker of concurrency `concurrency` runs them. Timed from the first add to the last
 * completion; CPU as in rawBullmq (producer and Worker share this process).
 */
async function rawLoop(url: string, admin: Redis, jobs: number, concurrency: number, inFlight: number, refill: number): Promise<RawResult> {
  const prefix = `{bench-loop-${randomUUID().slice(0, 8)}}`;
  const connection = { url };
  const queue = new Queue('raw', { connection, prefix });
  const worker = new Worker('raw', async () => undefined, { connection, prefix, concurrency });
  await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
  let added = 0;
  let done = 0;
  let sinceAdd = 0;
  let adding = Promise.resolve();
  let addMs = 0;
  const top = (): void => {
    const n = Math.min(inFlight - (added - done), jobs - added);
    if (n <= 0) return;
    const from = added;
    added += n;
    adding = adding.then(async () => {
      const t = performance.now();
      await queue.addBulk(Array.from({ length: n }, (_, k) => ({ name: 'noop', data: { i: from + k } })));
      addMs += performance.now() - t;
    });
  };
  let finish!: () => void;
  const drained = new Promise<void>((r) => (finish = r));
  worker.on('completed', () => {
    if (++done === jobs) finish();
    if (++sinceAdd >= refill) {
      sinceAdd = 0;
      top();
    }
  });
  const timed = await timeRaw(admin, jobs, top, drained);
  await adding;
  await disposeRaw(queue, worker);
  return { concurrency, jobs, addSeconds: addMs / 1000, ...timed, loop: { inFlight, refill } };
}

/** Times `start()` until `done`: the rate, and per job the commands sent, the commands Redis ran and the CPU of this process and of redis-server. */
async function timeRaw(admin: Redis, jobs: number, start: () => void, done: Promise<void>): Promise<Omit<RawResult, 'concurrency' | 'jobs' | 'addSeconds' | 'loop'>> {
  const before = await redisCounters(admin);
  const sent0 = sentSnapshot();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  start();
  await done;
  const drainSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const sent = sentDelta(sent0, sentSnapshot());
  const redis = counterDelta(before, await redisCounters(admin));
  return { drainSeconds, jobsPerSecond: jobs / drainSeconds, redisCallsPerJob: redis.calls / jobs, sentPerJob: sumValues(sent) / jobs, workerCpuMsPerJob: (cpu.user + cpu.system) / 1e3 / jobs, redisCpuMsPerJob: (redis.cpuSeconds * 1e3) / jobs };
}

/** Stops a raw run's Worker and removes its queue. */
async function disposeRaw(queue: Queue, worker: Worker): Promise<void> {
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
}

async function rawBullmq(url: string, admin: Redis, jobs: number, concurrency: number): Promise<RawResult> {
  const prefix = `{bench-raw-${randomUUID().slice(0, 8)}}`;
  const connection = { url };
  const queue = new Queue('raw', { connection, prefix });
  await queue.waitUntilReady();
  const t0 = performance.now();
  for (let i = 0; i < jobs; i += 1000) {
    const n = Math.min(1000, jobs - i);
    await queue.addBulk(Array.from({ length: n }, (_, k) => ({ name: 'noop', data: { i: i + k } })));
  }
  const addSeconds = (performance.now() - t0) / 1000;

  let done = 0;
  let finish!: () => void;
  const drained = new Promise<void>((r) => (finish = r));
  const worker = new Worker('raw', async () => undefined, { connection, prefix, concurrency, autorun: false });
  worker.on('completed', () => {
    if (++done === jobs) finish();
  });
  await worker.waitUntilReady();
  const timed = await timeRaw(admin, jobs, () => void worker.run(), drained);
  await disposeRaw(queue, worker);
  return { concurrency, jobs, addSeconds, ...timed };
}

// ---------------------------------------------------------------------------------------------
// Apiary runs (ii and iii)

interface ApiaryRunOptions {
  /** Print a progress line this often (ms); 0: none. */
  progressMs?: number;
  url: string;
  admin: Redis;
  config: Record<string, unknown>;
  evaluator: 'noop' | 'sleep';
  sleepMs: number;
  slots: number;
  worker: 'inproc' | 'child';
  /** Trials of an untimed experiment run first on the same runner and worker (JIT warm-up). @defaultValue 0 */
  warmupTrials?: number;
  /** BullmqDispatcher's packing of short trials. @defaultValue true (the dispatcher's default) */
  packing?: boolean;
}

interface StoreCallStats {
  calls: number;
  totalMs: number;
}

interface ApiaryRun {
  trials: number;
  completed: number;
  /** First dispatch (first QUEUED) to the budget reached (experiment COMPLETED), seconds. */
  seconds: number;
  trialsPerSecond: number;
  generation: { calls: number; seconds: number; maxSeconds: number; fitSeconds: number; acquisitionSeconds: number };
  redis: RedisCounters;
  /** Commands this process sent (in-process worker: all of them; child worker: all but the worker's). */
  sent: Map<string, number>;
  processCpuSeconds: number;
  /** CPU seconds of the child worker process (from /proc), or null (worker in this process, or no /proc). */
  childCpuSeconds: number | null;
  eventLoopDelayMeanMs: number;
  eventLoopDelayMaxMs: number;
  store: Map<string, StoreCallStats>;
  /** The runner's event handler (intake: store, optimiser, refill), called once per batch of events. */
  intake: { events: number; batches: number; busyMs: number };
  /** dispatcher.dispatch calls (trial job adds). */
  dispatch: StoreCallStats;
  /** BullMQ jobs that carried the timed experiment's trials (fewer than trials when packed). */
  bullmqJobs: number;
  records: Awaited<ReturnType<typeof listAllTrials>>;
  /** Mean times (ms) of a trial's way round the loop, over the trials that completed. */
  cycle: TrialCycle;
  status: string;
}

/**
 * Where a trial's time in flight goes, as means over completed trials (ms, from the records'
 * times and the store's write of the outcome). With `parallelism` trials in flight, the rate is
 * parallelism / (createdToRecorded + the refill: the outcome recorded → the next trial created).
 */
interface TrialCycle {
  /** Stored, enqueued, taken by a worker, and (in a pack) waiting for the trials before it. */
  createdToStarted: number;
  /** The evaluation. */
  startedToFinished: number;
  /** The end event published and read, and the outcome written to the store. */
  finishedToRecorded: number;
  createdToRecorded: number;
}

function trialCycle(records: readonly TrialRecord[], recordedAt: ReadonlyMap<string, number>): TrialCycle {
  const done = records.filter((t) => t.status === 'COMPLETED' && t.startedAt != null && t.finishedAt != null && recordedAt.has(t.id));
  const mean = (f: (t: TrialRecord) => number): number => done.reduce((s, t) => s + f(t), 0) / Math.max(1, done.length);
  return {
    createdToStarted: mean((t) => t.startedAt! - t.createdAt),
    startedToFinished: mean((t) => t.finishedAt! - t.startedAt!),
    finishedToRecorded: mean((t) => recordedAt.get(t.id)! - t.finishedAt!),
    createdToRecorded: mean((t) => recordedAt.get(t.id)! - t.createdAt),
  };
}

/**
 * Wraps a store so that every call is counted and timed (latencies overlap: calls run
 * concurrently), and notes when each trial's record was last changed by updateTrials (epoch ms,
 * as the records' own times): for a trial that ended, when its outcome was recorded.
 */
function timedStore(store: ExperimentStore, stats: Map<string, StoreCallStats>, recordedAt: Map<string, number>): ExperimentStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          const result = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (prop === 'updateTrials') {
            const now = Date.now();
            for (const id of args[1] as readonly string[]) recordedAt.set(id, now);
          }
          return result;
        } finally {
          const s = stats.get(prop) ?? { calls: 0, totalMs: 0 };
          s.calls++;
          s.totalMs += performance.now() - t0;
          stats.set(prop, s);
        }
      };
    },
  });
}

/** Times the runner's event handler and the dispatch calls (a bulk dispatch counts once per trial). */
function timedDispatcher(dispatcher: BullmqDispatcher, intake: { events: number; batches: number; busyMs: number }, dispatch: StoreCallStats): TrialDispatcher {
  return {
    async dispatch(job, options) {
      const t0 = performance.now();
      try {
        await dispatcher.dispatch(job, options);
      } finally {
        dispatch.calls++;
        dispatch.totalMs += performance.now() - t0;
      }
    },
    async dispatchMany(jobs, options) {
      const t0 = performance.now();
      try {
        await dispatcher.dispatchMany(jobs, options);
      } finally {
        dispatch.calls += jobs.length;
        dispatch.totalMs += performance.now() - t0;
      }
    },
    cancel: (job) => dispatcher.cancel(job),
    close: () => dispatcher.close(),
    subscribe: (handler) => dispatcher.subscribe(handler),
    subscribeBatch: (handler) =>
      dispatcher.subscribeBatch(async (events) => {
        const t0 = performance.now();
        try {
          await handler(events);
        } finally {
          intake.events += events.length;
          intake.batches++;
          intake.busyMs += performance.now() - t0;
        }
      }),
  };
}

async function startChildWorker(url: string, prefix: string, evaluator: string, slots: number, sleepMs: number): Promise<ChildProcess> {
  // APIARY_BENCH_CHILD_CPU_PROF=DIR writes a CPU profile of the child worker there (node --cpu-prof).
  const profDir = process.env['APIARY_BENCH_CHILD_CPU_PROF'];
  const profile = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const child = spawn(process.execPath, [...profile, '--conditions=@apiary/source', '--import', 'tsx', SELF, '--child-worker', '--redis', url, '--prefix', prefix, '--evaluator', evaluator, '--slots', String(slots), '--util-ms', String(Math.max(1, sleepMs))], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the child worker exited with ${code} before it was ready`)));
  });
  return child;
}

/** User + system CPU seconds of a process, from /proc/<pid>/stat (Linux); null where that cannot be read. */
function procCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the command name (which is in parentheses and may contain spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** USER_HZ: the unit of /proc's CPU times on Linux (100 on every common configuration). */
const CLOCK_TICKS_PER_SECOND = 100;

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function apiaryRun(o: ApiaryRunOptions): Promise<ApiaryRun> {
  const id = randomUUID().slice(0, 8);
  const queuePrefix = `{bench-${id}}`;
  const storeStats = new Map<string, StoreCallStats>();
  const recordedAt = new Map<string, number>();
  const redisStore = new RedisStore({ redis: o.url, prefix: `bench-${id}:` });
  const store = timedStore(redisStore, storeStats, recordedAt);
  const dispatcher = new BullmqDispatcher({ connection: o.url, prefix: queuePrefix, evaluators: ['bench'], ...(o.packing === false ? { packing: false } : {}) });
  const finishedJobs = async (): Promise<number> =>
    (await o.admin.zcard(`${queuePrefix}:${trialsQueueName('bench')}:completed`)) + (await o.admin.zcard(`${queuePrefix}:${trialsQueueName('bench')}:failed`));
  const evaluatorName = 'bench';

  let worker: Awaited<ReturnType<typeof runWorker>> | undefined;
  let child: ChildProcess | undefined;
  if (o.worker === 'inproc') {
    worker = await runWorker({ connection: o.url, prefix: queuePrefix, evaluators: { [evaluatorName]: evaluatorFor(o.evaluator, o.sleepMs) }, concurrency: o.slots, onError: (e) => console.error(`worker: ${e.message}`) });
  } else {
    child = await startChildWorker(o.url, queuePrefix, o.evaluator, o.slots, o.sleepMs);
  }

  let firstDispatch: number | null = null;
  let completedAt: number | null = null;
  let timedId: string | null = null;
  const generation = { calls: 0, seconds: 0, maxSeconds: 0, fitSeconds: 0, acquisitionSeconds: 0 };
  const onEvent = (e: RunnerEvent): void => {
    if (e.experimentId !== timedId) return; // the warm-up experiment
    if (e.type === 'trial' && e.status === 'QUEUED' && firstDispatch === null) firstDispatch = performance.now();
    if (e.type === 'experiment' && e.status !== 'RUNNING' && completedAt === null) completedAt = performance.now();
    if (e.type === 'generation') {
      generation.calls++;
      generation.seconds += e.generationSeconds;
      generation.maxSeconds = Math.max(generation.maxSeconds, e.generationSeconds);
      generation.fitSeconds += e.fitSeconds ?? 0;
      generation.acquisitionSeconds += e.acquisitionSeconds ?? 0;
    }
  };
  const intake = { events: 0, batches: 0, busyMs: 0 };
  const dispatchStats = { calls: 0, totalMs: 0 };
  const runner = new ExperimentRunner({ store, dispatcher: timedDispatcher(dispatcher, intake, dispatchStats), onEvent, generationThread: true });
  try {
    if (o.warmupTrials) {
      const warmup = await runner.create({ ...o.config, name: `${String(o.config['name'])}-warmup`, budget: o.warmupTrials, evaluator: evaluatorName });
      await runner.start(warmup.id);
      await runner.whenDone(warmup.id);
      Object.assign(intake, { events: 0, batches: 0, busyMs: 0 });
      Object.assign(dispatchStats, { calls: 0, totalMs: 0 });
      storeStats.clear();
    }
    const exp = await runner.create({ ...o.config, evaluator: evaluatorName });
    timedId = exp.id;
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    const jobs0 = await finishedJobs();
    const before = await redisCounters(o.admin);
    const sent0 = sentSnapshot();
    const cpu0 = process.cpuUsage();
    const childCpu0 = child ? procCpuSeconds(child.pid) : null;
    loopDelay.enable();
    const startedAt = performance.now();
    const progress = o.progressMs
      ? setInterval(() => {
          void runner.counts(exp.id).then((c) => {
            const elapsed = (performance.now() - startedAt) / 1000;
            console.log(`  … ${elapsed.toFixed(0)} s: ${c.COMPLETED + c.FAILED}/${String(o.config['budget'])} trials done, ${generation.calls} asks (${generation.seconds.toFixed(1)} s generating)`);
          }, () => undefined);
        }, o.progressMs)
      : undefined;
    await runner.start(exp.id);
    const done = await runner.whenDone(exp.id);
    clearInterval(progress);
    loopDelay.disable();
    const cpu = process.cpuUsage(cpu0);
    const childCpu1 = child ? procCpuSeconds(child.pid) : null;
    const sent = sentDelta(sent0, sentSnapshot());
    const after = await redisCounters(o.admin);
    const bullmqJobs = (await finishedJobs()) - jobs0;
    const records = await listAllTrials(redisStore, exp.id);
    const seconds = ((completedAt ?? performance.now()) - (firstDispatch ?? 0)) / 1000;
    return {
      trials: records.length,
      completed: records.filter((t) => t.status === 'COMPLETED').length,
      seconds,
      trialsPerSecond: records.length / seconds,
      generation,
      redis: counterDelta(before, after),
      sent,
      processCpuSeconds: (cpu.user + cpu.system) / 1e6,
      childCpuSeconds: childCpu0 !== null && childCpu1 !== null ? childCpu1 - childCpu0 : null,
      eventLoopDelayMeanMs: loopDelay.mean / 1e6,
      eventLoopDelayMaxMs: loopDelay.max / 1e6,
      store: storeStats,
      intake,
      dispatch: dispatchStats,
      bullmqJobs,
      records,
      cycle: trialCycle(records, recordedAt),
      status: done.status,
    };
  } finally {
    await runner.close();
    if (worker) await worker.close({ drainTimeoutMs: 1000 });
    if (child) await stopChild(child);
    await dispatcher.close();
    await redisStore.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Child worker mode

async function childWorker(url: string, prefix: string, evaluator: string, slots: number, sleepMs: number): Promise<void> {
  const handle = await runWorker({ connection: url, prefix, evaluators: { bench: evaluatorFor(evaluator, sleepMs) }, concurrency: slots, onError: (e) => process.stderr.write(`child worker: ${e.message}\n`) });
  const stop = (): void => void handle.close({ drainTimeoutMs: 1000 }).then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write('ready\n');
}

// ---------------------------------------------------------------------------------------------
// Main

function fail(msg: string): never {
  console.error(msg);
  process.exit(2);
}

function positiveInt(text: string | undefined, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`${flag} must be a positive integer, got '${text}'`);
  return n;
}

const f1 = (x: number): string => x.toFixed(1);
const f0 = (x: number): string => Math.round(x).toLocaleString('en-US');
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

function printProfile(label: string, r: ApiaryRun, parallelism: number): Record<string, unknown> {
  const n = r.trials;
  const store = [...r.store.entries()].sort((a, b) => b[1].totalMs - a[1].totalMs);
  console.log(`\nprofile, ${label}: ${n} trials in ${r.seconds.toFixed(2)} s`);
  console.log(`  generation (optimizer.ask): ${r.generation.calls} calls, ${r.generation.seconds.toFixed(3)} s in all (${pct(r.generation.seconds / r.seconds)} of the wall time)`);
  console.log(`  Redis, sent by this process: ${f1(sumValues(r.sent) / n)} commands per trial (${topCommands(r.sent, n)})`);
  console.log(`  Redis, executed (scripts' inner commands included): ${f1(r.redis.calls / n)} per trial (${topCommands(r.redis.perCommand, n)}); redis-server CPU ${r.redis.cpuSeconds.toFixed(2)} s (${pct(r.redis.cpuSeconds / r.seconds)} of a core)`);
  console.log(`  this process: CPU ${r.processCpuSeconds.toFixed(2)} s (${pct(r.processCpuSeconds / r.seconds)} of a core); event-loop delay mean ${r.eventLoopDelayMeanMs.toFixed(1)} ms, max ${r.eventLoopDelayMaxMs.toFixed(0)} ms`);
  if (r.childCpuSeconds !== null) console.log(`  the worker's process: CPU ${r.childCpuSeconds.toFixed(2)} s (${pct(r.childCpuSeconds / r.seconds)} of a core)`);
  console.log(`  event intake (runner handler, in batches): ${r.intake.events} events (${(r.intake.events / n).toFixed(2)} per trial) in ${r.intake.batches} batches (mean ${(r.intake.events / Math.max(1, r.intake.batches)).toFixed(1)} events), busy ${(r.intake.busyMs / 1000).toFixed(2)} s = ${pct(r.intake.busyMs / 1000 / r.seconds)} of the wall time, mean ${(r.intake.busyMs / Math.max(1, r.intake.events)).toFixed(2)} ms per event`);
  console.log(`  dispatch (trial job add, in bulk): ${(r.dispatch.calls / n).toFixed(2)} per trial, ${(r.dispatch.totalMs / 1000).toFixed(2)} s in all; ${r.bullmqJobs} BullMQ jobs (${(n / Math.max(1, r.bullmqJobs)).toFixed(1)} trials per job)`);
  console.log(`  store calls per trial: ${store.map(([k, s]) => `${k} ${(s.calls / n).toFixed(2)} (mean ${(s.totalMs / s.calls).toFixed(2)} ms)`).join(', ')}`);
  const c = r.cycle;
  const perTrialMs = (parallelism / r.trialsPerSecond) * 1000;
  console.log(
    `  a trial's way round (means): created → started ${c.createdToStarted.toFixed(2)} ms (stored, enqueued, taken), started → finished ${c.startedToFinished.toFixed(2)} ms, finished → recorded ${c.finishedToRecorded.toFixed(2)} ms (event, intake, store); ` +
      `${parallelism} in flight at ${f0(r.trialsPerSecond)}/s is ${perTrialMs.toFixed(2)} ms per slot, ${(perTrialMs - c.createdToRecorded).toFixed(2)} ms of it from the outcome recorded to the next trial created`,
  );
  return {
    seconds: r.seconds,
    generationCalls: r.generation.calls,
    generationSeconds: r.generation.seconds,
    sentCommandsPerTrial: sumValues(r.sent) / n,
    sentCommandsPerTrialByName: Object.fromEntries([...r.sent.entries()].map(([k, v]) => [k, v / n])),
    redisCommandsPerTrial: r.redis.calls / n,
    redisTopCommandsPerTrial: Object.fromEntries([...r.redis.perCommand.entries()].map(([k, v]) => [k, v / n])),
    redisCpuSeconds: r.redis.cpuSeconds,
    processCpuSeconds: r.processCpuSeconds,
    workerProcessCpuSeconds: r.childCpuSeconds,
    eventLoopDelayMeanMs: r.eventLoopDelayMeanMs,
    eventLoopDelayMaxMs: r.eventLoopDelayMaxMs,
    intake: { events: r.intake.events, batches: r.intake.batches, busySeconds: r.intake.busyMs / 1000, meanMs: r.intake.busyMs / Math.max(1, r.intake.events) },
    dispatch: { perTrial: r.dispatch.calls / n, meanMs: r.dispatch.totalMs / Math.max(1, r.dispatch.calls) },
    bullmqJobs: r.bullmqJobs,
    cycleMs: r.cycle,
    storeCalls: Object.fromEntries(store.map(([k, s]) => [k, { perTrial: s.calls / n, meanMs: s.totalMs / s.calls }])),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      trials: { type: 'string', default: '2000' },
      warmup: { type: 'string', default: '500' },
      slots: { type: 'string', default: '32' },
      'util-trials': { type: 'string' },
      'util-slots': { type: 'string', default: '16' },
      'util-ms': { type: 'string', default: '1000' },
      'util-batch': { type: 'string', default: '1' },
      'util-restarts': { type: 'string' },
      'util-method': { type: 'string', default: 'qlognei' },
      'util-raw-samples': { type: 'string' },
      'util-parallelism': { type: 'string' },
      parallelism: { type: 'string' },
      'util-refill-fraction': { type: 'string' },
      batch: { type: 'string', default: '1' },
      worker: { type: 'string', default: 'both' },
      packing: { type: 'string', default: 'on' },
      parts: { type: 'string', default: 'raw,apiary,util' },
      redis: { type: 'string' },
      json: { type: 'string' },
      'child-worker': { type: 'boolean', default: false },
      prefix: { type: 'string' },
      evaluator: { type: 'string' },
    },
  });
  if (values['child-worker']) {
    await childWorker(values.redis!, values.prefix!, values.evaluator!, positiveInt(values.slots, '--slots'), positiveInt(values['util-ms'], '--util-ms'));
    return;
  }
  countSentCommands();
  const trials = positiveInt(values.trials, '--trials');
  const warmup = values.warmup === '0' ? 0 : positiveInt(values.warmup, '--warmup');
  const slots = positiveInt(values.slots, '--slots');
  const utilTrials = values['util-trials'] ? positiveInt(values['util-trials'], '--util-trials') : Math.max(32, Math.round((400 * Math.min(trials, 2000)) / 2000));
  const utilSlots = positiveInt(values['util-slots'], '--util-slots');
  const utilMs = positiveInt(values['util-ms'], '--util-ms');
  const utilBatch = positiveInt(values['util-batch'], '--util-batch');
  const batch = positiveInt(values.batch, '--batch');
  if (!['qlognei', 'thompson', 'sobol'].includes(values['util-method']!)) fail("--util-method must be 'qlognei', 'thompson' or 'sobol'");
  const parallelism = values.parallelism ? positiveInt(values.parallelism, '--parallelism') : undefined;
  const utilParallelism = values['util-parallelism'] ? positiveInt(values['util-parallelism'], '--util-parallelism') : undefined;
  const utilGeneration: Record<string, unknown> = { method: values['util-method'] };
  if (values['util-restarts']) utilGeneration['numRestarts'] = positiveInt(values['util-restarts'], '--util-restarts');
  if (values['util-raw-samples']) utilGeneration['rawSamples'] = positiveInt(values['util-raw-samples'], '--util-raw-samples');
  const refill = values['util-refill-fraction'];
  if (refill !== undefined) {
    const f = refill === 'off' ? null : Number(refill);
    if (f !== null && !(f >= 0)) fail(`--util-refill-fraction must be a number >= 0 or 'off', got '${refill}'`);
    utilGeneration['refillBudgetFraction'] = f;
  }
  const parts = new Set(values.parts.split(','));
  for (const p of parts) if (!['raw', 'apiary', 'util'].includes(p)) fail(`--parts: unknown part '${p}' (raw, apiary, util)`);
  const packings = values.packing === 'both' ? [true, false] : values.packing === 'on' ? [true] : values.packing === 'off' ? [false] : fail("--packing must be 'on', 'off' or 'both'");
  const modes: ('inproc' | 'child')[] = values.worker === 'both' ? ['inproc', 'child'] : values.worker === 'inproc' || values.worker === 'child' ? [values.worker] : fail("--worker must be 'inproc', 'child' or 'both'");

  const redis = values.redis ? { url: values.redis, dispose: async () => undefined } : await startRedis();
  const onSignal = (): void => {
    void redis.dispose().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  const admin = new Redis(redis.url);
  const report: Record<string, unknown> = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', node: process.version, redis: (await admin.info('server')).match(/redis_version:(\S+)/)?.[1] ?? '?' },
    options: { trials, warmup, slots, batch, utilTrials, utilSlots, utilMs, utilBatch, utilGeneration },
  };
  console.log(`bench:throughput — Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Redis ${(report['machine'] as { redis: string }).redis} at ${redis.url}`);

  try {
    // (i) raw BullMQ
    const raw: RawResult[] = [];
    if (parts.has('raw') || parts.has('apiary')) {
      if (warmup > 0) await rawBullmq(redis.url, admin, warmup, 50); // JIT warm-up, not reported
      for (const c of [1, 50]) raw.push(await rawBullmq(redis.url, admin, trials, c));
      // The closed loop a scheduler runs: as many jobs in flight as the experiment's parallelism, on the bench's slots.
      const inFlight = parallelism ?? slots;
      raw.push(await rawLoop(redis.url, admin, trials, slots, inFlight, Math.max(1, Math.floor(inFlight / 4))));
      console.log(`\n(i) raw BullMQ: ${trials} no-op jobs added in bulk, drained by one Worker; then a closed loop (a producer keeps jobs in flight, adding as they complete)`);
      console.log('| concurrency | add s | drain s | jobs/s | commands sent/job | commands executed/job | worker CPU ms/job | redis-server CPU ms/job |');
      console.log('|---|---|---|---|---|---|---|---|');
      for (const r of raw) {
        const label = r.loop ? `${r.concurrency}, closed loop: ${r.loop.inFlight} in flight, ${r.loop.refill} added per ${r.loop.refill} done` : String(r.concurrency);
        console.log(`| ${label} | ${r.addSeconds.toFixed(2)} | ${r.drainSeconds.toFixed(2)} | ${f0(r.jobsPerSecond)} | ${f1(r.sentPerJob)} | ${f1(r.redisCallsPerJob)} | ${r.workerCpuMsPerJob.toFixed(3)} | ${r.redisCpuMsPerJob.toFixed(3)} |`);
      }
      report['raw'] = raw;
    }

    // (ii) Apiary end to end, no-op evaluator, sobol
    if (parts.has('apiary')) {
      const rawBest = Math.max(...raw.filter((r) => !r.loop).map((r) => r.jobsPerSecond));
      const raw1 = raw.find((r) => r.concurrency === 1 && !r.loop)!.jobsPerSecond;
      const rawLoopRate = raw.find((r) => r.loop)!.jobsPerSecond;
      const config = {
        name: 'bench-throughput',
        parameters: [
          { name: 'x1', type: 'range', bounds: [-5, 10] },
          { name: 'x2', type: 'range', bounds: [0, 15] },
        ],
        objective: { name: 'objective', minimize: true },
        budget: trials,
        batchSize: batch,
        parallelism: parallelism ?? slots,
        mode: 'async',
        generation: { method: 'sobol' },
        maxFailureRate: 1,
      };
      const results: Record<string, unknown>[] = [];
      const rows: string[] = [];
      const profiles: [string, ApiaryRun][] = [];
      for (const packing of packings) {
        for (const mode of modes) {
          const r = await apiaryRun({ url: redis.url, admin, config, evaluator: 'noop', sleepMs: 0, slots, worker: mode, warmupTrials: warmup, packing });
          if (r.status !== 'COMPLETED' || r.completed !== trials) console.log(`warning: the ${mode} run ended ${r.status} with ${r.completed}/${trials} trials completed`);
          const label = `${mode === 'inproc' ? 'runner + dispatcher + worker in one process' : 'worker in a child process'}${packings.length > 1 ? `, packing ${packing ? 'on' : 'off'}` : ''}`;
          rows.push(`| ${label} | ${slots} | ${(r.trials / Math.max(1, r.bullmqJobs)).toFixed(1)} | ${r.seconds.toFixed(2)} | ${f0(r.trialsPerSecond)} | ${pct(r.trialsPerSecond / rawBest)} | ${pct(r.trialsPerSecond / raw1)} | ${pct(r.trialsPerSecond / rawLoopRate)} | ${r.trialsPerSecond / rawBest >= 0.5 ? 'yes' : 'no'} |`);
          profiles.push([label, r]);
          results.push({ worker: mode, packing, trials: r.trials, completed: r.completed, bullmqJobs: r.bullmqJobs, seconds: r.seconds, trialsPerSecond: r.trialsPerSecond, ratioToRawBest: r.trialsPerSecond / rawBest, ratioToRawConcurrency1: r.trialsPerSecond / raw1, ratioToRawClosedLoop: r.trialsPerSecond / rawLoopRate });
        }
      }
      console.log(`\n(ii) Apiary end to end: ${trials} no-op trials, sobol, parallelism ${parallelism ?? slots}, batchSize ${batch}, worker concurrency ${slots}`);
      console.log(`| setup | slots | trials per BullMQ job | s (first dispatch → budget) | trials/s | vs raw best (${f0(rawBest)}/s) | vs raw c=1 (${f0(raw1)}/s) | vs raw closed loop (${f0(rawLoopRate)}/s) | goal ≥ 50 % |`);
      console.log('|---|---|---|---|---|---|---|---|---|');
      for (const row of rows) console.log(row);
      results.forEach((res, i) => (res['profile'] = printProfile(profiles[i]![0], profiles[i]![1], config.parallelism)));
      report['apiary'] = results;
    }

    // (iii) worker utilisation under GP generation
    if (parts.has('util')) {
      const config = {
        name: 'bench-utilisation',
        parameters: [
          { name: 'x1', type: 'range', bounds: [-5, 10] },
          { name: 'x2', type: 'range', bounds: [0, 15] },
        ],
        objective: { name: 'objective', minimize: true },
        budget: utilTrials,
        batchSize: utilBatch,
        parallelism: utilParallelism ?? utilSlots,
        mode: 'async',
        generation: utilGeneration,
        maxFailureRate: 1,
        trialTimeoutMs: 600_000,
      };
      console.log(`\n(iii) running: ${utilTrials} trials of ${utilMs} ms on ${utilSlots} slots (ideal ${((utilTrials * utilMs) / utilSlots / 1000).toFixed(0)} s; GP generation on 2 cores can take far longer)`);
      const r = await apiaryRun({ url: redis.url, admin, config, evaluator: 'sleep', sleepMs: utilMs, slots: utilSlots, worker: 'child', progressMs: 30_000, packing: packings[0] });
      const done = r.records.filter((t) => t.status === 'COMPLETED' && t.values?.['busyStart'] !== undefined);
      const starts = done.map((t) => t.values!['busyStart']!);
      const ends = done.map((t) => t.values!['busyEnd']!);
      const busy = done.reduce((s, t) => s + (t.values!['busyEnd']! - t.values!['busyStart']!), 0);
      const wall = Math.max(...ends) - Math.min(...starts);
      const utilisation = busy / (utilSlots * wall);
      const ideal = (utilTrials * utilMs) / utilSlots / 1000;
      const bestValue = Math.min(...done.map((t) => t.values!['objective']!));
      const byGenerator: Record<string, number> = {};
      for (const t of r.records) byGenerator[t.generator] = (byGenerator[t.generator] ?? 0) + 1;
      console.log(`\n(iii) worker utilisation: ${utilTrials} trials of ${utilMs} ms on ${utilSlots} slots, parallelism ${config.parallelism}, ${JSON.stringify(utilGeneration)}, async, batchSize ${utilBatch}, worker in a child process`);
      console.log(`  trials by generator: ${JSON.stringify(byGenerator)}; packing ${packings[0] ? "on" : "off"}, ${(r.trials / Math.max(1, r.bullmqJobs)).toFixed(1)} trials per BullMQ job`);
      console.log('| trials completed | wall s (first start → last finish) | ideal s | busy s | utilisation | goal ≥ 90 % | asks | mean ask s | max ask s | best Branin value |');
      console.log('|---|---|---|---|---|---|---|---|---|---|');
      console.log(
        `| ${done.length}/${utilTrials} | ${(wall / 1000).toFixed(1)} | ${ideal.toFixed(1)} | ${(busy / 1000).toFixed(1)} | ${pct(utilisation)} | ${utilisation >= 0.9 ? 'yes' : 'no'} | ${r.generation.calls} | ${(r.generation.seconds / Math.max(1, r.generation.calls)).toFixed(3)} | ${r.generation.maxSeconds.toFixed(3)} | ${bestValue.toFixed(4)} |`,
      );
      const profile = printProfile('utilisation run', r, config.parallelism);
      console.log(`  model-based asks: fit ${r.generation.fitSeconds.toFixed(1)} s, acquisition ${r.generation.acquisitionSeconds.toFixed(1)} s; generation busy ${pct(r.generation.seconds / (wall / 1000))} of the wall time`);
      report['utilisation'] = { trials: utilTrials, completed: done.length, slots: utilSlots, parallelism: config.parallelism, byGenerator, evaluatorMs: utilMs, batchSize: utilBatch, wallSeconds: wall / 1000, idealSeconds: ideal, busySeconds: busy / 1000, utilisation, bestValue, generation: r.generation, profile };
    }
  } finally {
    admin.disconnect();
    await redis.dispose();
  }
  if (values.json) {
    writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
    console.log(`\nwrote ${values.json}`);
  }
  process.exit(0);
}

await main();
