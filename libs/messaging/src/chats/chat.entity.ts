import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber, TenantEntity } from '@atrium/platform';

export type ChatType = 'direct' | 'group';
export type ChatRole = 'admin' | 'member';

/** A conversation in one organization: direct (two members, one chat per pair) or group (named, with admins). */
@Entity('chats')
export class Chat extends TenantEntity {
  @Column('text')
  type: ChatType;

  @Column('text', { nullable: true })
  name: string | null;

  @Column('text', { nullable: true })
  description: string | null;

  /** Direct chats only: the two user ids, sorted and joined with `:` (unique per organization). */
  @Column('text', { nullable: true })
  directKey: string | null;

  @Column('uuid', { nullable: true })
  createdBy: string | null;

  /** The sequence number of the chat's newest message (0: none yet). */
  @Column('bigint', { transformer: bigintNumber, default: 0 })
  lastSeq: number;

  /** How many of the chat's messages are SYSTEM messages (they never count as unread). */
  @Column('bigint', { transformer: bigintNumber, default: 0 })
  systemCount: number;

  @Column('timestamptz', { nullable: true })
  lastMessageAt: Date | null;
}

/** One user's place in a chat: their role and how far they have read. Rows are reached through their chat. */
@Entity('chat_members')
export class ChatMember {
  @PrimaryColumn('uuid')
  chatId: string;

  @PrimaryColumn('uuid')
  userId: string;

  @Column('uuid')
  organizationId: string;

  @Column('text', { default: 'member' })
  role: ChatRole;

  @Column('bigint', { transformer: bigintNumber, default: 0 })
  lastReadSeq: number;

  /** The chat's SYSTEM messages at or before `lastReadSeq`. */
  @Column('bigint', { transformer: bigintNumber, default: 0 })
  readSystemCount: number;

  @Column('timestamptz', { default: () => 'now()' })
  joinedAt: Date;
}

/** The key that makes one direct chat per pair of users. */
export const directKey = (a: string, b: string): string => [a.toLowerCase(), b.toLowerCase()].sort().join(':');
