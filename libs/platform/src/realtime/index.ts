export * from './realtime.module.js';
export * from './socket-adapter.js';
