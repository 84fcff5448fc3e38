import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { openApiSchemas } from './openapi.schemas.js';

/** Where the Swagger UI is served; the document itself is at `/${DOCS_PATH}-json`. */
export const DOCS_PATH = 'docs';

/** Builds the OpenAPI document and serves it at /docs (UI) and /docs-json. */
export function setupOpenApi(app: INestApplication, version: string): void {
  const config = new DocumentBuilder()
    .setTitle('Apiary scheduler')
    .setDescription(
      'Distributed Bayesian optimisation: create experiments, watch their trials, export results. ' +
        'Every endpoint needs `Authorization: Bearer <token>` (or `?token=`), unless the scheduler was started with APIARY_PUBLIC_HEALTH=true (then /health and /ready are public). ' +
        'The queue admin UI (bull-board) is at /admin/queues and Prometheus metrics at /metrics.',
    )
    .setVersion(version)
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...openApiSchemas() } };
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json`, swaggerOptions: { persistAuthorization: true } });
}
