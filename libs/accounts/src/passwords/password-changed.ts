import type { EntityManager } from 'typeorm';
import type { Outbox } from '@atrium/platform';

/** An account's password changed: by its user (`change`) or through a mailed reset link (`reset`). No organization. */
export const PASSWORD_CHANGED = 'account.password_changed';

export interface PasswordChangedPayload {
  user_id: string;
  via: 'change' | 'reset';
}

/** Writes `account.password_changed` in the transaction that stores the new password hash. */
export function announcePasswordChanged(
  outbox: Outbox,
  em: EntityManager,
  userId: string,
  via: PasswordChangedPayload['via'],
  requestId?: string,
): void {
  outbox.add(em, {
    name: PASSWORD_CHANGED,
    actorId: userId,
    payload: { user_id: userId, via } satisfies PasswordChangedPayload,
    requestId,
  });
}
