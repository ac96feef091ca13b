import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Swagger UI at /api/docs and the document at /api/docs-json. */
export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Atrium API')
    .setDescription(
      'Multi-tenant SaaS backend. Authenticate with `Authorization: Bearer <access_token>` or `x-api-key`. ' +
        'Send `X-Organization-Id` to act for another of your organizations. Errors answer ' +
        '`{ statusCode, message, error, code, details?, requestId }`; lists answer `{ data, total, page, limit, totalPages }`.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'api-key')
    .addServer('/')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
