export * from './clock.js';
export * from './format-utc.js';
