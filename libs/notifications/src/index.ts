export * from './notifications.module.js';
export * from './notifications.errors.js';
export * from './notifications.config.js';
export * from './dto/notification.dto.js';
export * from './delivery/notification-store.js';
export * from './notification-retention.js';
export * from './notifications-queue.js';
export * from './digests/notification-digests.js';
export { DIGEST_JOB, digestJobId, type DigestOutcome, DigestSender } from './digests/digest-sender.js';
