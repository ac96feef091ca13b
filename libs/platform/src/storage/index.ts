export * from './blob-storage.js';
export * from './local-blob-storage.js';
export * from './s3-blob-storage.js';
export * from './storage.config.js';
export * from './storage.module.js';
