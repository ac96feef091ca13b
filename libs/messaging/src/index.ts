export * from './entities.js';
export * from './messaging.module.js';
export * from './messaging.errors.js';
export * from './chats/chat.entity.js';
export * from './chats/chat-access.js';
export * from './chats/chat-rooms.js';
export * from './presence/presence.service.js';
