import { createBullBoard } from '@bull-board/api';
import { ExpressAdapter } from '@bull-board/express';
import { Inject, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { QueueAdminService } from './queue-admin.service.js';
import { BULL_BOARD, BULL_BOARD_ADAPTER, QUEUE_ADMIN_ROUTE } from './queues.tokens.js';

type Next = (error?: unknown) => void;

/**
 * bull-board at /admin/queues over every `trials.*` queue (rediscovered whenever the UI is
 * viewed). Mounted as middleware: the token check in front of it is AuthMiddleware's.
 *
 * @bull-board/nestjs is not used: it is CommonJS and `require`s @nestjs/core, which under tsx
 * loads a second copy of Nest (its HttpAdapterHost is then not ours, and DI fails).
 */
@Module({
  providers: [
    {
      provide: BULL_BOARD_ADAPTER,
      useFactory: () => new ExpressAdapter().setBasePath(QUEUE_ADMIN_ROUTE),
    },
    {
      provide: BULL_BOARD,
      useFactory: (serverAdapter: ExpressAdapter) => createBullBoard({ queues: [], serverAdapter, options: { uiConfig: { boardTitle: 'Apiary queues' } } }),
      inject: [BULL_BOARD_ADAPTER],
    },
    QueueAdminService,
  ],
  exports: [QueueAdminService],
})
export class QueuesModule implements NestModule {
  constructor(
    @Inject(BULL_BOARD_ADAPTER) private readonly adapter: ExpressAdapter,
    @Inject(QueueAdminService) private readonly queues: QueueAdminService,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    const discover = (_req: unknown, _res: unknown, next: Next): void => {
      this.queues.discover(false).then(() => next(), next);
    };
    consumer.apply(discover, this.adapter.getRouter()).forRoutes(QUEUE_ADMIN_ROUTE);
  }
}
