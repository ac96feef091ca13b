import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { DestinationStream } from 'pino';
import {
  apiSecurityHeaders,
  AppConfig,
  AtriumSocketAdapter,
  bodyParsers,
  corsOptions,
  createPino,
  createValidationPipe,
  openRequestScope,
  PinoLoggerService,
  requestIdMiddleware,
} from '@atrium/platform';
import { AppModule } from './app.module.js';
import { setupSwagger } from './swagger.js';

/** Builds the HTTP + socket.io application exactly as production runs it (tests use this too). */
/** What tests add: test-only modules (e.g. a probe gateway) and a destination for the log lines they read. */
export interface CreateAppOptions {
  imports?: NonNullable<ModuleMetadata['imports']>;
  logDestination?: DestinationStream;
}

export async function createApp(config: AppConfig, opts: CreateAppOptions = {}): Promise<INestApplication> {
  const pino = createPino(config.logLevel, opts.logDestination);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, opts.imports ?? []), {
    logger: new PinoLoggerService(pino),
    bodyParser: false,
    abortOnError: false,
  });
  app.set('trust proxy', config.http.trustProxy);
  app.disable('x-powered-by');
  // Answers are `no-store` (see apiSecurityHeaders): an ETag would be a hash of every body for nothing.
  app.set('etag', false);
  app.use(requestIdMiddleware(pino));
  app.use(apiSecurityHeaders());
  // The Swagger UI is an HTML document: it gets helmet's full set, with a policy its scripts can run under.
  app.use(
    '/api/docs',
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", "'unsafe-inline'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
        },
      },
    }),
  );
  app.enableCors(
    corsOptions(config.http.corsOrigins, [
      'x-request-id',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
      'retry-after',
    ]),
  );
  app.use(bodyParsers(config.http.bodyLimit));
  // Last: a body parser calls on from its stream's events, which would leave the scope behind.
  app.use((_req: unknown, _res: unknown, next: () => void) => openRequestScope(next));
  app.setGlobalPrefix('api/v1');
  app.useGlobalPipes(createValidationPipe());

  const adapter = new AtriumSocketAdapter(app, config);
  await adapter.connect();
  app.useWebSocketAdapter(adapter);
  setupSwagger(app);
  return app;
}
