export * from './signed-tokens.js';
export * from './secret-box.js';
