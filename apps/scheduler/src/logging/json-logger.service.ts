import type { LoggerService } from '@nestjs/common';
import { LOG_LEVELS, type LogLevel } from '../scheduler.config.js';

/** Nest's method names → the level written in the log line. */
const LEVEL_OF = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'verbose' } as const;
type Method = keyof typeof LEVEL_OF;

/**
 * Structured logs: one JSON object per line — `time`, `level`, `msg`, `context` and any fields
 * passed as an object message (`logger.log({ msg: 'created', experimentId }, 'Experiments')`).
 */
export class JsonLogger implements LoggerService {
  private readonly threshold: number;

  constructor(
    level: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
  ) {
    this.threshold = LOG_LEVELS.indexOf(level);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.emit('fatal', message, rest);
  }

  private emit(method: Method, message: unknown, rest: unknown[]): void {
    const level = LEVEL_OF[method];
    if (LOG_LEVELS.indexOf(level) > this.threshold) return;
    // Nest passes the context last, and for errors the stack before it.
    const params = [...rest];
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level };
    if (message instanceof Error) {
      entry['msg'] = message.message;
      entry['stack'] = message.stack;
    } else if (message !== null && typeof message === 'object') {
      const { msg, message: m, time: _time, level: _level, ...fields } = message as Record<string, unknown>;
      entry['msg'] = String(msg ?? m ?? '');
      Object.assign(entry, fields);
    } else {
      entry['msg'] = String(message);
    }
    if (context !== undefined) entry['context'] = context;
    for (const p of params) {
      if (typeof p === 'string' && method === 'error') entry['stack'] = p;
      else if (p instanceof Error) entry['stack'] = p.stack;
      else if (p !== null && typeof p === 'object') Object.assign(entry, p, { time: entry['time'], level });
      else if (p !== undefined) entry['detail'] = p;
    }
    this.write(safeStringify(entry));
  }
}

function safeStringify(entry: Record<string, unknown>): string {
  try {
    return JSON.stringify(entry, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return JSON.stringify({ time: entry['time'], level: entry['level'], msg: String(entry['msg']), context: entry['context'], note: 'fields not serialisable' });
  }
}
