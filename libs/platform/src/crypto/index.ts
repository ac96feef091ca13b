export * from './signed-tokens.js';
