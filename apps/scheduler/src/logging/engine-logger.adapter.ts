import type { EngineLogger } from '@apiary/engine';
import { Logger } from '@nestjs/common';

/** The engine's logger interface onto Nest's logger (and so onto the JSON log lines). */
export class EngineLoggerAdapter implements EngineLogger {
  private readonly logger: Logger;

  constructor(context: string) {
    this.logger = new Logger(context);
  }

  debug(message: string, context?: Record<string, unknown>): void {
    this.logger.debug({ ...context, msg: message });
  }
  info(message: string, context?: Record<string, unknown>): void {
    this.logger.log({ ...context, msg: message });
  }
  warn(message: string, context?: Record<string, unknown>): void {
    this.logger.warn({ ...context, msg: message });
  }
  error(message: string, context?: Record<string, unknown>): void {
    this.logger.error({ ...context, msg: message });
  }
}
