export * from './account-rate-limit.interceptor.js';
export * from './client-key.js';
export * from './rate-limit.counters.js';
export * from './rate-limit.decorator.js';
export * from './rate-limit.guard.js';
export * from './rate-limit.module.js';
export * from './rate-limit.answer.js';
