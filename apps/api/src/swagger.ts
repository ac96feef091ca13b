import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorBody } from '@atrium/platform';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/**
 * Every route is rate-limited (a default policy, stricter ones on sign-in): say so once for every operation
 * instead of on each handler.
 */
function documentRateLimits(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const responses = item[method]?.responses;
      if (responses && !responses['429']) {
        responses['429'] = {
          description: 'Rate limited: `Retry-After` says when to try again (code `rate_limited`)',
          content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBody) } } },
        };
      }
    }
  }
}

/**
 * Swagger UI at /api/docs and the document at /api/docs-json. Bearer token or API key is required by
 * default (declared once here); `@Public()` routes answer `security: [{}]`.
 */
export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Atrium API')
    .setDescription(
      'Multi-tenant SaaS backend. Authenticate with `Authorization: Bearer <access_token>` or `x-api-key`. ' +
        'Send `X-Organization-Id` to act for another of your organizations. Errors answer ' +
        '`{ statusCode, message, error, code, details?, requestId }`; lists answer `{ data, total, page, limit, totalPages }`.',
    )
    .setVersion('1.0')
    .setLicense('Proprietary', 'https://atrium.local/license')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'api-key')
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('api-key')
    .addServer('/')
    .addTag(
      'notifications',
      'Socket.io events, to your sockets acting for the organization: `notification:new {notification, unread_count}`, ' +
        '`notification:read {ids | all, read_at, unread_count}`, `notification:deleted {id, unread_count}`.',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorBody] });
  documentRateLimits(document);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
