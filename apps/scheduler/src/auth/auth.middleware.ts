import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { UNAUTHORIZED_MESSAGE } from './auth.guard.js';
import { type AuthRequest, AuthService, TOKEN_COOKIE } from './auth.service.js';

interface Res {
  statusCode: number;
  setHeader(name: string, value: string | string[]): void;
  end(body: string): void;
}

/**
 * The same token check as AuthGuard, at the HTTP-adapter level, installed before anything else:
 * it covers what Nest's guards never see (Swagger UI at /docs, bull-board at /admin/queues,
 * unknown paths). A valid `?token=` also sets an HttpOnly cookie so that a browser UI's follow-up
 * requests (assets, its API calls) authenticate without the token in every URL.
 */
@Injectable()
export class AuthMiddleware implements NestMiddleware<AuthRequest & { secure?: boolean }, Res> {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  use(req: AuthRequest & { secure?: boolean }, res: Res, next: (error?: unknown) => void): void {
    if (!this.auth.allows(req)) {
      res.statusCode = 401;
      res.setHeader('WWW-Authenticate', 'Bearer realm="apiary"');
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: UNAUTHORIZED_MESSAGE }));
      return;
    }
    const presented = this.auth.presented(req);
    if (presented.from === 'query' && presented.token !== null && this.auth.matches(presented.token)) {
      const attrs = ['Path=/', 'HttpOnly', 'SameSite=Strict', ...(req.secure ? ['Secure'] : [])];
      res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${encodeURIComponent(presented.token)}; ${attrs.join('; ')}`);
    }
    next();
  }
}
