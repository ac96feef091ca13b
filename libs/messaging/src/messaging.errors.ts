import { defineErrors } from '@atrium/platform';

/** Chats, messages and calls: one meaning per code. */
export const MessagingError = defineErrors('messaging', {
  // A chat the caller is not in answers like another organization's: it does not exist for them.
  chat_not_found: { kind: 'not_found', message: 'Chat not found' },
  chat_admin_required: { kind: 'forbidden', message: "Only the chat's admins may do this" },
});
