export * from './entities.js';
export * from './identity.module.js';
export * from './passwords/password.service.js';
export * from './sessions/session.service.js';
export * from './tokens/access-token.service.js';
export * from './tokens/opaque-token.js';
export * from './users/dto/user.dto.js';
export * from './users/user.entity.js';
