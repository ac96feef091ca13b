export * from './job-envelope.js';
export * from './queue.module.js';
export * from './scoped-worker-host.js';
