import { defineErrors } from '@atrium/platform';

/** Chats, messages and calls: one meaning per code. */
export const MessagingError = defineErrors('messaging', {
  // A chat the caller is not in answers like another organization's: it does not exist for them.
  chat_not_found: { kind: 'not_found', message: 'Chat not found' },
  chat_admin_required: { kind: 'forbidden', message: "Only the chat's admins may do this" },
  not_organization_members: { kind: 'bad_request', message: 'Some ids are not active members of this organization' },
  direct_chat_needs_one_member: { kind: 'bad_request', message: 'A direct chat has exactly one other member in member_ids' },
  group_chat_needs_name: { kind: 'bad_request', message: 'A group chat needs a name' },
  direct_chat_members_fixed: { kind: 'conflict', message: 'A direct chat always has its two members: nobody joins, leaves or is removed' },
  direct_chat_not_editable: { kind: 'conflict', message: 'A direct chat has no name or description to change' },
  already_chat_members: { kind: 'conflict', message: 'Some ids are already members of this chat' },
  chat_member_not_found: { kind: 'not_found', message: 'That user is not a member of this chat' },
  message_not_found: { kind: 'not_found', message: 'Message not found' },
  message_author_required: { kind: 'forbidden', message: 'Only the author may edit a message' },
  message_edit_window_closed: { kind: 'forbidden', message: 'This message is too old to edit' },
  system_message_not_editable: { kind: 'conflict', message: 'SYSTEM messages are written by the server and cannot be edited' },
  message_deleted: { kind: 'conflict', message: 'This message was deleted' },
  message_delete_forbidden: {
    kind: 'forbidden',
    message: 'Only the author, a chat admin or a moderator (chats.manage) may delete this message',
  },
  mentions_not_in_chat: { kind: 'bad_request', message: 'Mentioned users must be members of the chat' },
  read_seq_out_of_range: { kind: 'bad_request', message: 'seq is beyond the newest message of the chat' },
  chat_delete_forbidden: { kind: 'forbidden', message: "Only the chat's admins or a moderator (chats.manage) may delete this chat" },
  // Calls. A call of a chat the caller is not in answers like another organization's.
  call_not_found: { kind: 'not_found', message: 'Call not found' },
  call_in_progress: { kind: 'conflict', message: 'This chat already has a call that has not ended' },
  call_ended: { kind: 'conflict', message: 'This call has ended' },
  call_not_joined: { kind: 'conflict', message: 'You have not joined this call' },
  call_not_invited: { kind: 'conflict', message: 'Only a participant still being rung can reject the call' },
  call_peer_not_joined: { kind: 'conflict', message: 'The user you are signaling has not joined this call' },
});
