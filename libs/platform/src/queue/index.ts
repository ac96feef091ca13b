export * from './job-envelope.js';
export * from './queue.module.js';
