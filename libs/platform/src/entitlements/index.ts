export * from './entitlements.js';
export * from './requires-feature.js';
