export * from './auth.guard.js';
export * from './authenticator.js';
export * from './decorators.js';
