export * from './domain-error.js';
export * from './error-body.js';
export * from './http-exception.filter.js';
export * from './pagination.js';
export * from './validation.pipe.js';
export * from './swagger.js';
export * from './body-parsers.js';
