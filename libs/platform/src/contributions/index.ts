export * from './contributions.module.js';
export * from './data-export.registry.js';
export * from './usage.registry.js';
export * from './access-restrictions.registry.js';
export * from './socket-reactions.registry.js';
export * from './notification-types.registry.js';
export * from './webhook-handlers.registry.js';
