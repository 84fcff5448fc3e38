import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues/queues.module.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';
import { TensorflowService } from './tensorflow.service.js';

/** GET /health (liveness, TensorFlow.js backend) and GET /ready (Redis, queues). */
@Module({ imports: [QueuesModule], controllers: [HealthController], providers: [HealthService, TensorflowService] })
export class HealthModule {}
