import { defineErrors } from '@atrium/platform';

/** Chats, messages and calls: one meaning per code. */
export const MessagingError = defineErrors('messaging', {
  // A chat the caller is not in answers like another organization's: it does not exist for them.
  chat_not_found: { kind: 'not_found', message: 'Chat not found' },
  chat_admin_required: { kind: 'forbidden', message: "Only the chat's admins may do this" },
  // Calls. A call of a chat the caller is not in answers like another organization's.
  call_not_found: { kind: 'not_found', message: 'Call not found' },
  call_in_progress: { kind: 'conflict', message: 'This chat already has a call that has not ended' },
  call_ended: { kind: 'conflict', message: 'This call has ended' },
  call_not_joined: { kind: 'conflict', message: 'You have not joined this call' },
  call_not_invited: { kind: 'conflict', message: 'Only a participant still being rung can reject the call' },
  call_peer_not_joined: { kind: 'conflict', message: 'The user you are signaling has not joined this call' },
});
