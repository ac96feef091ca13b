import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import {
  AppConfig,
  AtriumSocketAdapter,
  bodyParsers,
  createPino,
  createValidationPipe,
  PinoLoggerService,
  requestIdMiddleware,
} from '@atrium/platform';
import { AppModule } from './app.module.js';
import { setupSwagger } from './swagger.js';

/** Builds the HTTP + socket.io application exactly as production runs it (tests use this too). */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  const pino = createPino(config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: new PinoLoggerService(pino),
    bodyParser: false,
    abortOnError: false,
  });
  app.set('trust proxy', config.http.trustProxy);
  app.disable('x-powered-by');
  app.use(requestIdMiddleware(pino));
  app.use(
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
  for (const parser of bodyParsers(config.http.bodyLimit)) app.use(parser);
  const origins = config.http.corsOrigins;
  app.enableCors({
    origin: origins === '*' ? true : origins,
    credentials: true,
    exposedHeaders: ['x-request-id', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after'],
  });
  app.setGlobalPrefix('api/v1');
  app.useGlobalPipes(createValidationPipe());

  const adapter = new AtriumSocketAdapter(app, config);
  await adapter.connect();
  app.useWebSocketAdapter(adapter);
  setupSwagger(app);
  return app;
}
