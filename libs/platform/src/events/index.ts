export * from './event-bus.js';
export * from './events.module.js';
export * from './outbox.js';
export * from './outbox-commit-hook.js';
export * from './outbox-pruner.js';
export * from './outbox-relay.js';
export * from './realtime-subscriber.js';
