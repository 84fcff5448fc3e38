import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';

interface Req {
  method?: string;
  originalUrl?: string;
  url?: string;
}
interface Res {
  statusCode: number;
  on(event: 'finish', listener: () => void): void;
}

/** One debug line per request: method, path (never the query: it may carry the token), status, time. */
@Injectable()
export class RequestLoggerMiddleware implements NestMiddleware<Req, Res> {
  private readonly logger = new Logger('Http');

  use(req: Req, res: Res, next: () => void): void {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const url = req.originalUrl ?? req.url ?? '';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      this.logger.debug({ msg: `${req.method ?? '?'} ${path} ${res.statusCode}`, method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 });
    });
    next();
  }
}
