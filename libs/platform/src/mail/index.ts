export * from './mail-message.js';
export * from './mail.module.js';
export * from './mail.service.js';
export * from './escape-html.js';
