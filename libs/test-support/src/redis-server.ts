import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

/** A redis-server a test file started (daemonized, on a free port), stopped by its pid. */
export interface TestRedis {
  port: number;
  url: string;
  /** The data directory (the AOF lives here when `appendonly` is on). */
  dir: string;
  /** SIGTERM by pid, and waits for the process to go; the data directory stays (see {@link restart}). */
  stop(): Promise<void>;
  /** A clean SHUTDOWN (the AOF is flushed first), and waits for the process to go; the directory stays. */
  shutdown(): Promise<void>;
  /** The server's pid, or null when it is not running. */
  pid(): number | null;
  /** Starts the server again on the same port and directory (after SHUTDOWN or stop). */
  restart(): Promise<void>;
  /** Stops it and removes its directory: the teardown. */
  dispose(): Promise<void>;
}

export interface StartRedisOptions {
  /** Append-only file on (to test restarts without loss). @defaultValue false */
  appendonly?: boolean;
  /** `appendfsync` with the AOF on: `always` makes every acknowledged write survive a SHUTDOWN or a crash. @defaultValue Redis's (everysec) */
  appendfsync?: 'always' | 'everysec' | 'no';
}

/** A TCP port nobody listened on a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `redis-server --port <free> --save '' --appendonly no|yes --daemonize yes --pidfile <tmp>`
 * (`maxmemory-policy noeviction`, as DESIGN.md asks of production Redis) in a fresh temporary
 * directory and waits until it answers PING.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'apiary-redis-'));
  const pidfile = join(dir, 'redis.pid');
  const port = await freePort();
  const start = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', options.appendonly ? 'yes' : 'no', '--dir', dir, '--maxmemory-policy', 'noeviction'];
    if (options.appendonly && options.appendfsync) args.push('--appendfsync', options.appendfsync);
    await run('redis-server', [...args, '--daemonize', 'yes', '--pidfile', pidfile, '--logfile', join(dir, 'redis.log')]);
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined); // refused while the server starts: expected, retried below
    for (let i = 0; i < 400; i++) {
      try {
        await client.connect();
        await client.ping();
        client.disconnect();
        return;
      } catch {
        client.disconnect();
        await sleep(25);
      }
    }
    throw new Error(`redis-server did not answer on port ${port}`);
  };
  let disposed = false;
  const pid = (): number | null => {
    try {
      const n = Number(readFileSync(pidfile, 'utf8').trim());
      return Number.isInteger(n) && n > 0 && alive(n) ? n : null;
    } catch {
      return null; // never started, or gone (SHUTDOWN removes the pidfile)
    }
  };
  const waitGone = async (p: number, ms: number): Promise<void> => {
    for (let i = 0; i < ms / 25 && alive(p); i++) await sleep(25);
  };
  const stop = async (): Promise<void> => {
    const p = pid();
    if (p === null) return;
    process.kill(p, 'SIGTERM');
    await waitGone(p, 5000);
    if (alive(p)) process.kill(p, 'SIGKILL');
  };
  const shutdown = async (): Promise<void> => {
    const p = pid();
    if (p === null) return;
    const admin = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => undefined);
    await admin.shutdown().catch(() => undefined); // the connection closes as the server exits
    admin.disconnect();
    await waitGone(p, 15_000);
    if (alive(p)) throw new Error(`redis-server (pid ${p}) still running 15 s after SHUTDOWN`);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    stop,
    shutdown,
    pid,
    restart: start,
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 50 ms until it holds, or rejects after `timeoutMs` naming `what`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** A fresh BullMQ prefix (with a hash tag, like the transport's own) so that tests never share keys. */
export function uniqueQueuePrefix(label: string): string {
  return `{t-${label}-${Math.random().toString(36).slice(2, 8)}}`;
}
