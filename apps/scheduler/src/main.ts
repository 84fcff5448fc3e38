import 'reflect-metadata';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ValidationError } from '@apiary/contracts';
import { type INestApplication, Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { AuthMiddleware } from './auth/auth.middleware.js';
import type { SchedulerCoreOptions } from './core/scheduler-core.module.js';
import { setupOpenApi } from './docs/openapi.setup.js';
import { JsonLogger } from './logging/json-logger.service.js';
import { RequestLoggerMiddleware } from './logging/request-logger.middleware.js';
import { loadSchedulerConfig } from './scheduler.config.js';

const VERSION = '0.1.0';

/** Options of {@link createSchedulerApp}: the config, and optionally what to run on. */
export interface SchedulerAppOptions extends SchedulerCoreOptions {
  /** Nest's logger; `false` silences it. @defaultValue JSON lines on stdout at `config.logLevel` */
  logger?: LoggerService | false;
}

/**
 * Builds the scheduler (not yet listening): the REST API, /docs, /health, /ready, /metrics and
 * bull-board at /admin/queues, all behind the bearer token. The caller calls `listen` and `close`
 * (closing stops the runner and releases what the app opened; experiments stay RUNNING in the
 * store and are resumed by the next start).
 */
export async function createSchedulerApp(options: SchedulerAppOptions): Promise<INestApplication> {
  const logger = options.logger ?? new JsonLogger(options.config.logLevel);
  const app = await NestFactory.create(AppModule.forRoot(options), { logger, abortOnError: false });
  // Before anything else: Swagger UI and bull-board are not Nest routes, so Nest's guard never sees them.
  const requests = new RequestLoggerMiddleware();
  const auth = app.get(AuthMiddleware);
  app.use(requests.use.bind(requests), auth.use.bind(auth));
  setupOpenApi(app, VERSION);
  return app;
}

/** `node main.js`: the scheduler from the environment, until SIGTERM or SIGINT. */
async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadSchedulerConfig();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: 'fatal', msg: e.message, problems: e.problems, context: 'Config' }) + '\n');
    process.exitCode = 1;
    return;
  }
  const app = await createSchedulerApp({ config });
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  new Logger('Scheduler').log({ msg: 'scheduler listening', url: await app.getUrl(), auth: config.auth.enabled ? 'bearer token' : 'DISABLED' });
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  await bootstrap().catch((e: unknown) => {
    new Logger('Scheduler').fatal({ msg: 'the scheduler could not start', error: e instanceof Error ? e.message : String(e) });
    // Connections opened before the failure would keep the process alive.
    process.exit(1);
  });
}
