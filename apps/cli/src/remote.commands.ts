import { readFile, writeFile } from 'node:fs/promises';
import { ExperimentConfigSchema, ValidationError, formatProblems, parseOrThrow } from '@apiary/contracts';
import { ApiClient, ApiError } from './api-client.js';
import type { CliIo } from './optimize.command.js';

export interface RemoteOptions {
  api: string;
  token?: string | undefined;
}

/** `apiary submit`: validates a config locally (same rules as the API) and creates the experiment. */
export async function runSubmit(configPath: string, options: RemoteOptions, io: CliIo): Promise<number> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(configPath, 'utf8'));
    parseOrThrow(ExperimentConfigSchema, raw, 'experiment config');
  } catch (e) {
    if (e instanceof ValidationError) io.stderr(`invalid experiment config ${configPath}:\n${formatProblems(e.problems)}`);
    else io.stderr(`cannot read the config ${configPath}: ${(e as Error).message}`);
    return 2;
  }
  return remote(io, async () => {
    const { json } = await new ApiClient(options.api, options.token).request('POST', '/experiments', raw);
    const exp = json as { id: string; status: string };
    io.stdout(`created experiment ${exp.id} (${exp.status})`);
  });
}

/** `apiary status [ID]`: one experiment with its trial counts and best, or the list. */
export async function runStatus(id: string | undefined, options: RemoteOptions & { json?: boolean }, io: CliIo): Promise<number> {
  return remote(io, async () => {
    const client = new ApiClient(options.api, options.token);
    if (!id) {
      const { json } = await client.request('GET', '/experiments');
      const list = json as { id: string; status: string; config: { name: string; budget: number }; reason?: string }[];
      if (options.json) return io.stdout(JSON.stringify(list, null, 2));
      if (list.length === 0) return io.stdout('no experiments');
      for (const e of list) io.stdout(`${e.id}  ${e.status.padEnd(9)} ${e.config.name} (budget ${e.config.budget})${e.reason ? ` — ${e.reason}` : ''}`);
      return;
    }
    const { json } = await client.request('GET', `/experiments/${encodeURIComponent(id)}`);
    const best = await client.request('GET', `/experiments/${encodeURIComponent(id)}/best`).then((r) => r.json).catch(() => null);
    if (options.json) return io.stdout(JSON.stringify({ experiment: json, best }, null, 2));
    const e = json as { id: string; status: string; reason?: string; config: { name: string; budget: number; evaluator: string; objective: { name: string } }; counts?: Record<string, number> };
    io.stdout(`${e.id} '${e.config.name}': ${e.status}${e.reason ? ` — ${e.reason}` : ''}`);
    if (e.counts) {
      io.stdout(Object.entries(e.counts).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(', ') || 'no trials yet');
      const c = (s: string): number => e.counts?.[s] ?? 0;
      // Queued, and none has ever started: most likely no worker serves this evaluator.
      if (e.status === 'RUNNING' && c('QUEUED') > 0 && c('RUNNING') + c('STALE') + c('COMPLETED') + c('FAILED') === 0) {
        io.stdout(`no trial has started yet: is a worker serving evaluator '${e.config.evaluator}'? (apiary worker --evaluator ${e.config.evaluator}=<module | command | URL> --redis <url>)`);
      }
    }
    const b = best as { index: number; parameters: unknown; values?: Record<string, number> } | null;
    if (b?.values) io.stdout(`best trial #${b.index}: ${e.config.objective.name} = ${b.values[e.config.objective.name]} at ${JSON.stringify(b.parameters)}`);
  });
}

/** `apiary export ID`: the trials as JSON or CSV, to a file or stdout. */
export async function runExport(id: string, options: RemoteOptions & { format: string; out?: string }, io: CliIo): Promise<number> {
  if (options.format !== 'json' && options.format !== 'csv') {
    io.stderr(`--format must be json or csv, got '${options.format}'`);
    return 2;
  }
  return remote(io, async () => {
    const { text } = await new ApiClient(options.api, options.token).request('GET', `/experiments/${encodeURIComponent(id)}/export?format=${options.format}`);
    if (!options.out) return io.stdout(text);
    try {
      await writeFile(options.out, text);
    } catch (e) {
      io.stderr(`cannot write --out ${options.out}: ${(e as Error).message}`);
      return 1;
    }
    io.stdout(`wrote ${options.out}`);
  });
}

/** Runs `action` (its exit code, 0 if it returns none), turning API errors into their message and code. */
async function remote(io: CliIo, action: () => Promise<number | void>): Promise<number> {
  try {
    return (await action()) ?? 0;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    io.stderr(e.message);
    return e.status === 400 ? 2 : 1;
  }
}
