export * from './work-slots.js';
