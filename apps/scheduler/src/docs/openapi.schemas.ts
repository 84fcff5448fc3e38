import { ExperimentConfigSchema, TRIAL_STATUSES } from '@apiary/contracts';
import type { SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';

/** Names of the component schemas the controllers refer to. */
export const SCHEMA = {
  experimentConfig: 'ExperimentConfig',
  experiment: 'Experiment',
  experimentDetail: 'ExperimentDetail',
  trial: 'Trial',
  trialPage: 'TrialPage',
  validationError: 'ValidationError',
  error: 'Error',
} as const;

const ref = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` }) as SchemaObject;
const time = { type: 'number', description: 'milliseconds since the epoch' } as const;
const numbers = { type: 'object', additionalProperties: { type: 'number' } } as const;

/** The component schemas: the config straight from contracts' zod schema, the records by hand. */
export function openApiSchemas(): Record<string, SchemaObject> {
  return {
    [SCHEMA.experimentConfig]: z.toJSONSchema(ExperimentConfigSchema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' }) as SchemaObject,
    [SCHEMA.experiment]: {
      type: 'object',
      required: ['id', 'config', 'status', 'createdAt', 'updatedAt', 'nextIndex'],
      properties: {
        id: { type: 'string' },
        config: ref(SCHEMA.experimentConfig),
        status: { type: 'string', enum: ['RUNNING', 'STOPPED', 'COMPLETED', 'FAILED'] },
        reason: { type: 'string', nullable: true, description: 'why it stopped, completed or failed' },
        createdAt: time,
        updatedAt: time,
        nextIndex: { type: 'integer' },
      },
    },
    [SCHEMA.experimentDetail]: {
      allOf: [
        ref(SCHEMA.experiment),
        {
          type: 'object',
          required: ['counts'],
          properties: {
            counts: {
              type: 'object',
              description: 'trials by state, every state present (0 where none)',
              required: [...TRIAL_STATUSES],
              properties: Object.fromEntries(TRIAL_STATUSES.map((s) => [s, { type: 'integer', minimum: 0 }])),
            },
          },
        },
      ],
    },
    [SCHEMA.trial]: {
      type: 'object',
      required: ['id', 'experimentId', 'index', 'parameters', 'status', 'attempts', 'createdAt'],
      properties: {
        id: { type: 'string' },
        experimentId: { type: 'string' },
        index: { type: 'integer' },
        parameters: { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } },
        generator: { type: 'string', enum: ['sobol', 'qlognei', 'thompson'] },
        status: { type: 'string', enum: [...TRIAL_STATUSES] },
        attempts: { type: 'integer' },
        worker: { type: 'string' },
        values: numbers,
        sem: numbers,
        error: { type: 'string' },
        intermediate: { type: 'array', items: { type: 'object', properties: { step: { type: 'integer' }, value: { type: 'number' } } } },
        createdAt: time,
        queuedAt: time,
        startedAt: time,
        finishedAt: time,
      },
    },
    [SCHEMA.trialPage]: {
      type: 'object',
      required: ['items', 'total', 'offset', 'limit'],
      properties: { items: { type: 'array', items: ref(SCHEMA.trial) }, total: { type: 'integer' }, offset: { type: 'integer' }, limit: { type: 'integer' } },
    },
    [SCHEMA.validationError]: {
      type: 'object',
      required: ['error', 'problems'],
      properties: {
        error: { type: 'string', enum: ['ValidationError'] },
        message: { type: 'string' },
        problems: {
          type: 'array',
          items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string', example: 'parameters[0].bounds' }, message: { type: 'string' } } },
        },
      },
    },
    [SCHEMA.error]: { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } },
  };
}

export { ref as schemaRef };
