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
  /** Starts the server again on the same port and directory (after SHUTDOWN or stop). */
  restart(): Promise<void>;
  /** Stops it and removes its directory: the teardown. */
  dispose(): Promise<void>;
}

export interface StartRedisOptions {
  /** Append-only file on (to test restarts without loss). @defaultValue false */
  appendonly?: boolean;
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
 * in a fresh temporary directory and waits until it answers PING.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'apiary-redis-'));
  const pidfile = join(dir, 'redis.pid');
  const port = await freePort();
  const start = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', options.appendonly ? 'yes' : 'no', '--dir', dir];
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
  const stop = async (): Promise<void> => {
    let pid: number;
    try {
      pid = Number(readFileSync(pidfile, 'utf8').trim());
    } catch {
      return; // already gone (SHUTDOWN removes the pidfile)
    }
    if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 200 && alive(pid); i++) await sleep(25);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    stop,
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
