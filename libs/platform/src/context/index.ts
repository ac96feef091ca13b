export * from './ctx.decorator.js';
export * from './request-context.js';
