/**
 * A worker process for crash tests: `worker-child.ts <redis-url> <prefix> <name> <lockMs> <concurrency>`.
 * Serves `slow` (sleeps `ms`, then returns `{ loss: ms }`), prints "ready" once connected.
 */
import { runWorker } from '@apiary/worker-sdk';

const [url, prefix, name, lockMs, concurrency] = process.argv.slice(2);
if (!url || !prefix || !name) throw new Error('usage: worker-child.ts <redis-url> <prefix> <name> [lockMs] [concurrency]');
const handle = await runWorker({
  connection: url,
  prefix,
  workerName: name,
  lockDurationMs: Number(lockMs ?? 1000),
  stalledIntervalMs: 300,
  concurrency: Number(concurrency ?? 1),
  evaluators: {
    slow: async (p) => {
      await new Promise((r) => setTimeout(r, Number(p['ms'])));
      return { loss: Number(p['ms']) };
    },
  },
});
process.on('SIGTERM', () => void handle.close().then(() => process.exit(0)));
process.stdout.write('ready\n');
