import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { type AuthRequest, AuthService } from './auth.service.js';

export const UNAUTHORIZED_MESSAGE = 'a bearer token is required: send Authorization: Bearer <token> (or ?token=<token>)';

/** Global guard: every Nest route needs the token (see AuthService for the exceptions). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const http = ctx.switchToHttp();
    if (this.auth.allows(http.getRequest<AuthRequest>())) return true;
    http.getResponse<{ setHeader(name: string, value: string): void }>().setHeader('WWW-Authenticate', 'Bearer realm="apiary"');
    throw new UnauthorizedException(UNAUTHORIZED_MESSAGE);
  }
}
