import type { ExperimentRecord, TrialCounts, TrialPage, TrialRecord } from '@apiary/engine';
import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { SCHEMA, schemaRef } from '../docs/openapi.schemas.js';
import { parseExportQuery, parseStopBody, parseTrialsQuery, MAX_TRIAL_PAGE } from './experiments.dto.js';
import { ExperimentsService } from './experiments.service.js';

interface FileResponse {
  setHeader(name: string, value: string): void;
}

const notFound = ApiNotFoundResponse({ description: 'No experiment has this id', schema: schemaRef(SCHEMA.error) });
const idParam = ApiParam({ name: 'id', description: 'The experiment id' });

@ApiTags('experiments')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'The bearer token is missing or wrong' })
@Controller('experiments')
export class ExperimentsController {
  constructor(@Inject(ExperimentsService) private readonly experiments: ExperimentsService) {}

  @Post()
  @ApiOperation({ summary: 'Create an experiment from a config and start it' })
  @ApiBody({ schema: schemaRef(SCHEMA.experimentConfig) })
  @ApiCreatedResponse({ description: 'The experiment, RUNNING', schema: schemaRef(SCHEMA.experiment) })
  @ApiBadRequestResponse({ description: 'The config is invalid: each problem names the field and the reason; nothing is stored', schema: schemaRef(SCHEMA.validationError) })
  create(@Body() body: unknown): Promise<ExperimentRecord> {
    return this.experiments.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'Every experiment, oldest first' })
  @ApiOkResponse({ schema: { type: 'array', items: schemaRef(SCHEMA.experiment) } })
  list(): Promise<ExperimentRecord[]> {
    return this.experiments.list();
  }

  @Get(':id')
  @idParam
  @ApiOperation({ summary: 'One experiment, with its trial counts by state' })
  @ApiOkResponse({ schema: schemaRef(SCHEMA.experimentDetail) })
  @notFound
  get(@Param('id') id: string): Promise<ExperimentRecord & { counts: TrialCounts }> {
    return this.experiments.get(id);
  }

  @Get(':id/trials')
  @idParam
  @ApiOperation({ summary: "A page of the experiment's trials, in index order" })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', minimum: 0, default: 0 } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_TRIAL_PAGE, default: 100 } })
  @ApiQuery({ name: 'status', required: false, description: 'Only trials in these states (comma-separated or repeated)', schema: { type: 'string', example: 'COMPLETED,FAILED' } })
  @ApiOkResponse({ schema: schemaRef(SCHEMA.trialPage) })
  @ApiBadRequestResponse({ description: 'A bad query parameter', schema: schemaRef(SCHEMA.validationError) })
  @notFound
  trials(@Param('id') id: string, @Query() query: unknown): Promise<TrialPage> {
    return this.experiments.trials(id, parseTrialsQuery(query));
  }

  @Get(':id/best')
  @idParam
  @ApiOperation({ summary: 'The best completed trial that meets every outcome constraint (null if none yet)' })
  @ApiOkResponse({ schema: { ...schemaRef(SCHEMA.trial), nullable: true } })
  @notFound
  best(@Param('id') id: string): Promise<TrialRecord | null> {
    return this.experiments.best(id);
  }

  @Post(':id/stop')
  @HttpCode(HttpStatus.OK)
  @idParam
  @ApiOperation({ summary: 'Stop: no new trials; queued ones are withdrawn, running ones finish' })
  @ApiBody({ required: false, schema: { type: 'object', properties: { reason: { type: 'string', maxLength: 500 } } } })
  @ApiOkResponse({ schema: schemaRef(SCHEMA.experiment) })
  @ApiConflictResponse({ description: 'The experiment is COMPLETED or FAILED', schema: schemaRef(SCHEMA.error) })
  @notFound
  stop(@Param('id') id: string, @Body() body: unknown): Promise<ExperimentRecord> {
    return this.experiments.stop(id, parseStopBody(body).reason);
  }

  @Post(':id/resume')
  @HttpCode(HttpStatus.OK)
  @idParam
  @ApiOperation({ summary: 'Resume (or start) a stopped experiment' })
  @ApiOkResponse({ schema: schemaRef(SCHEMA.experiment) })
  @ApiConflictResponse({ description: 'The experiment is COMPLETED or FAILED', schema: schemaRef(SCHEMA.error) })
  @notFound
  resume(@Param('id') id: string): Promise<ExperimentRecord> {
    return this.experiments.resume(id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @idParam
  @ApiOperation({ summary: 'Delete the experiment and its trials, cancelling jobs in flight' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @notFound
  async delete(@Param('id') id: string): Promise<void> {
    await this.experiments.delete(id);
  }

  @Get(':id/export')
  @idParam
  @ApiOperation({ summary: 'Every trial as a JSON array or as CSV' })
  @ApiQuery({ name: 'format', required: false, schema: { type: 'string', enum: ['json', 'csv'], default: 'json' } })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ description: 'A file (Content-Disposition: attachment)' })
  @notFound
  async export(@Param('id') id: string, @Query() query: unknown, @Res({ passthrough: true }) res: FileResponse): Promise<string> {
    const file = await this.experiments.export(id, parseExportQuery(query).format);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
    return file.body;
  }
}
