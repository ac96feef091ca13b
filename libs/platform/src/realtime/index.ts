export * from './realtime.module.js';
export * from './socket-adapter.js';
export * from './headless-realtime.module.js';
