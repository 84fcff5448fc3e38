import type { CliIo } from './optimize.command.js';

export interface ServeOptions {
  port?: number;
  redis?: string;
  token?: string;
}

/**
 * `apiary serve`: the scheduler (REST API, /docs, /admin/queues, /metrics), configured from the
 * environment (PORT, REDIS_URL, APIARY_TOKEN, …; see the scheduler's config) with flags taking
 * precedence. Runs until SIGTERM or SIGINT.
 */
export async function runServe(options: ServeOptions, io: CliIo): Promise<number> {
  // Loaded on demand: NestJS start-up is not needed by the other commands.
  const { createSchedulerApp, loadSchedulerConfig } = await import('@apiary/scheduler');
  const { ValidationError, formatProblems } = await import('@apiary/contracts');
  const env: Record<string, string | undefined> = { ...process.env };
  if (options.port !== undefined) env['PORT'] = String(options.port);
  if (options.redis) env['REDIS_URL'] = options.redis;
  if (options.token) env['APIARY_TOKEN'] = options.token;
  let config;
  try {
    config = loadSchedulerConfig(env);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    io.stderr(`cannot start the scheduler:\n${formatProblems(e.problems)}`);
    return 2;
  }
  const app = await createSchedulerApp({ config });
  app.enableShutdownHooks();
  try {
    await app.listen(config.port, config.host);
  } catch (e) {
    // EADDRINUSE, EACCES (a port below 1024), EADDRNOTAVAIL (a host not on this machine).
    io.stderr(`cannot start the scheduler: cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`);
    await app.close().catch(() => undefined);
    return 1;
  }
  io.stderr(`scheduler listening on ${await app.getUrl()} (auth: ${config.auth.enabled ? 'bearer token' : 'DISABLED'})`);
  await new Promise<void>((resolve) => {
    const stop = (): void => void app.close().then(resolve, resolve);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}
