import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthService, type Liveness, type Readiness } from './health.service.js';

@ApiTags('operations')
@ApiBearerAuth()
@Controller()
export class HealthController {
  constructor(@Inject(HealthService) private readonly health: HealthService) {}

  @Get('health')
  @ApiOperation({ summary: 'Liveness: the process answers; reports the TensorFlow.js backend in use' })
  @ApiOkResponse({ description: '`{ status: "ok", uptimeSeconds, tensorflow }`' })
  live(): Liveness {
    return this.health.liveness();
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: Redis reachable and every queue open' })
  @ApiOkResponse({ description: '`{ status: "ready", checks, queues }`' })
  @ApiServiceUnavailableResponse({ description: 'Redis or a queue is unavailable; `checks` says which and why' })
  async ready(@Res({ passthrough: true }) res: { status(code: number): unknown }): Promise<Readiness> {
    const r = await this.health.readiness();
    if (r.status !== 'ready') res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return r;
  }
}
