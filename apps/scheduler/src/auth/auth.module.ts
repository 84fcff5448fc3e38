import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard.js';
import { AuthMiddleware } from './auth.middleware.js';
import { AuthService } from './auth.service.js';

/** Bearer-token authentication: a global guard for Nest routes, a middleware for the rest. */
@Module({
  providers: [AuthService, AuthMiddleware, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, AuthMiddleware],
})
export class AuthModule {}
