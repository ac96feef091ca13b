import { defineErrors } from '@atrium/platform';

/** Notifications and their preferences: one meaning per code. */
export const NotificationsError = defineErrors('notifications', {
  // Another user's or organization's notification answers like a missing one.
  notification_not_found: { kind: 'not_found', message: 'Notification not found' },
  unknown_notification_types: { kind: 'bad_request', message: 'Unknown notification types' },
  notification_required: { kind: 'bad_request', message: 'Security notifications cannot be turned off' },
  invalid_unsubscribe_link: { kind: 'bad_request', message: 'This unsubscribe link is not valid' },
});
