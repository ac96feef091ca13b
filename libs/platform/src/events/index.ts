export * from './event-bus.js';
export * from './events.module.js';
