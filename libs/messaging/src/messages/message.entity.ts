import { Column, Entity } from 'typeorm';
import { bigintNumber, TenantEntity } from '@atrium/platform';
import type { SystemFields } from './system-fields.js';

export const MESSAGE_TYPES = ['TEXT', 'SYSTEM'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** One message of a chat, numbered by the chat's counter; a deleted one stays as a tombstone without content. */
@Entity('messages')
export class Message extends TenantEntity {
  @Column('uuid')
  chatId: string;

  @Column('bigint', { transformer: bigintNumber })
  seq: number;

  @Column('uuid', { nullable: true })
  senderId: string | null;

  @Column('text')
  messageType: MessageType;

  @Column('text', { nullable: true })
  content: string | null;

  @Column('text', { nullable: true })
  clientMessageId: string | null;

  @Column('uuid', { array: true, default: () => `'{}'` })
  mentions: string[];

  /** SYSTEM messages only: what happened, for clients that write their own text. */
  @Column('jsonb', { nullable: true })
  system: SystemFields | null;

  @Column('timestamptz', { nullable: true })
  editedAt: Date | null;

  @Column('timestamptz', { nullable: true })
  deletedAt: Date | null;

  @Column('uuid', { nullable: true })
  deletedBy: string | null;
}
