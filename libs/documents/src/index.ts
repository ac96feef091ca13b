export * from './documents.module.js';
export * from './documents.errors.js';
export * from './documents.config.js';
export * from './document.entity.js';
export * from './document-events.js';
export * from './dto/document.dto.js';
export * from './pending-blobs.js';
export { DOWNLOAD_LINK_TTL_SECONDS } from './download/document-links.js';
