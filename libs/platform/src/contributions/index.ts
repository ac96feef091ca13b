export * from './contributions.module.js';
export * from './data-export.registry.js';
export * from './usage.registry.js';
