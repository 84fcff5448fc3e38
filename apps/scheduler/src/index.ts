/** @apiary/scheduler — the NestJS scheduler, as an app (`main.ts`) and for `apiary serve`. */
export { createSchedulerApp, type SchedulerAppOptions } from './main.js';
export { loadSchedulerConfig, LOG_LEVELS, type LogLevel, type SchedulerConfig } from './scheduler.config.js';
export { JsonLogger } from './logging/json-logger.service.js';
