import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createProgram } from '@apiary/cli';
import { createWorkerCommand } from '@apiary/worker';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(resolve(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8');

/** The default of a `${VAR:-default}` reference, else the text. */
const expand = (s: string): string => s.replace(/\$\{(\w+):-([^}]*)\}/g, '$2');

/** Checks a CLI invocation against a commander command: every `--flag` exists and takes a value when given one. */
function checkInvocation(command: Command, args: string[]): void {
  const longs = new Map(command.options.map((o) => [o.long, o]));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) continue;
    const opt = longs.get(a);
    if (!opt) expect.fail(`'${command.name()}' has no option ${a}; it has ${[...longs.keys()].join(', ')}`);
    if (opt.required || opt.optional) {
      expect(args[i + 1], `${a} needs a value`).toBeDefined();
      i++;
    }
  }
}

describe('docker-compose.yml', () => {
  it('has redis, scheduler, worker and an example evaluator, built from the repository Dockerfile', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['evaluator', 'redis', 'scheduler', 'worker']);
    for (const s of ['scheduler', 'worker', 'evaluator']) expect(compose.services[s]!.build).toBe('.');
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "apps\/cli\/bin\/apiary\.js"\]/);
  });

  it('runs Redis with AOF, noeviction and a password, on a volume', () => {
    const cmd = compose.services['redis']!.command!.map(expand);
    expect(cmd[0]).toBe('redis-server');
    expect(cmd[cmd.indexOf('--appendonly') + 1]).toBe('yes');
    expect(cmd[cmd.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    expect(cmd[cmd.indexOf('--requirepass') + 1]).toMatch(/\S/);
    expect(Object.keys(compose.volumes ?? {})).toContain('redis-data');
  });

  it('starts the scheduler and workers with commands the CLI accepts, and the same Redis password', () => {
    const program = createProgram();
    const password = expand(compose.services['redis']!.command![compose.services['redis']!.command!.indexOf('--requirepass') + 1]!);
    const scheduler = compose.services['scheduler']!;
    const [serve, ...serveArgs] = scheduler.command!;
    expect(serve).toBe('serve');
    checkInvocation(program.commands.find((c) => c.name() === 'serve')!, serveArgs);
    expect(scheduler.environment!['APIARY_TOKEN']).toBeTruthy();
    const worker = compose.services['worker']!;
    const [workerCmd, ...workerArgs] = worker.command!;
    expect(workerCmd).toBe('worker');
    checkInvocation(createWorkerCommand({ name: 'worker' }), workerArgs);
    for (const s of [scheduler, worker]) {
      const url = new URL(expand(s.environment!['REDIS_URL']!));
      expect(url.hostname).toBe('redis');
      expect(decodeURIComponent(url.password)).toBe(password);
      expect(s.depends_on!['redis']!.condition).toBe('service_healthy');
    }
  });

  it("points the worker's evaluator at the evaluator service and its port", () => {
    const args = compose.services['worker']!.command!;
    const spec = args[args.indexOf('--evaluator') + 1]!;
    const [name, url] = spec.split(/=(.*)/s) as [string, string];
    expect(name).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
    const u = new URL(url);
    expect(u.hostname).toBe('evaluator');
    expect(u.port).toBe(compose.services['evaluator']!.environment!['PORT']);
    expect(compose.services['evaluator']!.entrypoint).toEqual(['node', 'examples/http-evaluator/server.mjs']);
    // The example config names the same evaluator, so `apiary submit` of it is served by these workers.
    const config = JSON.parse(readFileSync(resolve(root, 'examples/branin/config.json'), 'utf8')) as { evaluator: string };
    expect(config.evaluator).toBe(name);
  });
});
