import { type EntityManager, IsNull } from 'typeorm';
import { OneTimeToken } from '../verification/one-time-token.entity.js';
import { User } from './user.entity.js';
import { AccountsError } from '../accounts.errors.js';

/** What a requested `email` does to an account: nothing, a new pending address, or a pending change withdrawn. */
export type EmailChange = 'none' | 'requested' | 'cancelled';

/** The event after which the new address gets its verification link and the current one a notice. */
export const EMAIL_CHANGE_REQUESTED = 'user.email_change_requested';

/** Payload of `user.email_change_requested`: the account and the address waiting to be verified. */
export interface EmailChangeRequested {
  user_id: string;
  email: string;
}

/** What `email` in a profile change would do, without changing anything. */
export function emailChangeOf(user: Pick<User, 'email' | 'pendingEmail'>, email: string | undefined): EmailChange {
  if (email === undefined) return 'none';
  if (email !== user.email) return 'requested';
  return user.pendingEmail === null ? 'none' : 'cancelled';
}

/**
 * Stages an email change on `user` (the caller saves it). A new address only waits in `pendingEmail`: until
 * the link mailed to it is used, the current address stays in force for sign-in, mail and invitations, so
 * nobody gets an address (or what is addressed to it) by typing it. Asking for the current address withdraws
 * a pending change. 409 `email_taken` when another account already has the new address.
 */
export async function stageEmailChange(em: EntityManager, user: User, email: string | undefined): Promise<EmailChange> {
  const change = emailChangeOf(user, email);
  if (change === 'requested') {
    if (await em.getRepository(User).exists({ where: { email } })) {
      throw AccountsError.email_taken();
    }
    user.pendingEmail = email!;
    // Links still out stop at once, with the change: the new address's link follows from the event, after the answer.
    await em
      .getRepository(OneTimeToken)
      .update({ userId: user.id, purpose: 'email_verification', usedAt: IsNull() }, { usedAt: new Date() });
  }
  if (change === 'cancelled') user.pendingEmail = null;
  return change;
}
