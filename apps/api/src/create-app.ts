import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cors from 'cors';
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
  middlewareChain,
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
  // The edge, as one middleware (see middlewareChain): request id, security headers, CORS, bodies, then the request's
  // database scope last: a body parser calls on from its stream's events, which would leave the scope behind.
  app.use(
    middlewareChain(
      requestIdMiddleware(pino),
      apiSecurityHeaders(),
      cors(
        corsOptions(config.http.corsOrigins, [
          'x-request-id',
          'x-ratelimit-limit',
          'x-ratelimit-remaining',
          'x-ratelimit-reset',
          'retry-after',
        ]),
      ),
      bodyParsers(config.http.bodyLimit),
      (_req, _res, next) => openRequestScope(next),
    ),
  );
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
  app.setGlobalPrefix('api/v1');
  app.useGlobalPipes(createValidationPipe());

  const adapter = new AtriumSocketAdapter(app, config);
  await adapter.connect();
  app.useWebSocketAdapter(adapter);
  setupSwagger(app);
  return app;
}
