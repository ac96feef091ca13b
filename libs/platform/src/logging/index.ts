export * from './pino-logger.js';
export * from './request-id.middleware.js';
export * from './safe-error.js';
