export * from './realtime.module.js';
export * from './socket-adapter.js';
export * from './ws-ctx.decorator.js';
export * from './ws-exception.filter.js';
export * from './ws-auth.guard.js';
export * from './rooms.js';
export * from './headless-realtime.module.js';
export * from './socket-directory.js';
