/**
 * Real processes for the end-to-end tests: redis-server, `apiary serve`, `apiary-worker` and
 * `apiary optimize`, each started as a child process (Redis: test-support's daemon with a pid file)
 * and registered so that `stopAll()` kills whatever is still alive by its pid, even when a test
 * failed half-way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startRedis, type TestRedis } from '@apiary/test-support';

/** The repository root (the tests spawn the bins from here, as a user would). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const APIARY_BIN = join(ROOT, 'apps/cli/bin/apiary.js');
export const WORKER_BIN = join(ROOT, 'apps/worker/bin/apiary-worker.js');
/** A bearer token of the required length (≥ 16 characters). */
export const TOKEN = 'e2e-token-0123456789abcdef';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export { freePort };

/** Thrown by a `waitFor` check to give up at once (a process it waits on has exited). */
export class GiveUp extends Error {}

/** Polls `check` until it returns something other than undefined; throws after `ms`, or at once on GiveUp. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, ms: number, what: string, everyMs = 100): Promise<T> {
  const end = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      if (e instanceof GiveUp) throw e;
      lastError = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes

/** A node child process with its output captured. */
export class Child {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private out = '';
  private err = '';

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    proc.stdout?.on('data', (d: Buffer) => (this.out += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => {
      this.out += d.toString();
      this.err += d.toString();
    });
    this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Everything the process printed so far (stdout and stderr interleaved). */
  output(): string {
    return this.out;
  }

  /** What the process printed on stderr so far. */
  stderr(): string {
    return this.err;
  }

  /** The last `chars` characters of the output, for error messages. */
  tail(chars = 3000): string {
    return this.out.slice(-chars);
  }

  /** Sends `signal` to the process by its pid and waits for it to exit (SIGKILL after `graceMs`). */
  async kill(signal: NodeJS.Signals = 'SIGKILL', graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      if (this.running) process.kill(this.pid, 'SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Every process a test file started, so that `afterAll` can stop them all. */
export class ProcessGroup {
  private readonly children: Child[] = [];
  private readonly redises: RedisServer[] = [];

  spawnNode(name: string, args: readonly string[], env: Record<string, string> = {}, cwd = ROOT): Child {
    const proc = spawn(process.execPath, [...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = new Child(name, proc);
    this.children.push(child);
    return child;
  }

  async startRedis(options: RedisOptions = {}): Promise<RedisServer> {
    const redis = await startRedis(options.aof ? { appendonly: true, appendfsync: 'always' } : {});
    this.redises.push(redis);
    return redis;
  }

  /** Kills every child still running (SIGKILL, by pid) and every Redis started here. */
  async stopAll(): Promise<void> {
    await Promise.all(this.children.map((c) => c.kill('SIGKILL')));
    for (const r of this.redises) await r.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Redis

export interface RedisOptions {
  /** Persist with AOF (`--appendonly yes --appendfsync always`) in the server's directory. */
  aof?: boolean;
}

/** A test file's redis-server: test-support's, which can also be shut down and started again on the same port and directory. */
export type RedisServer = TestRedis;
