import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AccessRestrictionRegistry, Rooms, SocketReactionRegistry } from '@atrium/platform';
import { AccessError } from '../access.errors.js';

/** The restriction the credential check reports while an organization requires MFA that the caller has not turned on. */
export const MFA_ENROLLMENT = 'mfa_enrollment';

/** The sockets of an organization's members who had no two-factor authentication when they connected. */
const withoutMfaRoom = (organizationId: string) => `mfa-off:${organizationId}`;

/**
 * What an organization's two-factor requirement means for requests and sockets, registered into the kernel:
 * routes other than `@AllowRestricted()` ones answer 403 `mfa_enrollment_required`, sockets are refused, the
 * sockets of members without MFA end when the requirement is turned on, and a user's sockets end when they turn
 * MFA off (they reconnect and are judged again).
 */
@Injectable()
export class MfaRules implements OnModuleInit {
  constructor(
    private readonly restrictions: AccessRestrictionRegistry,
    private readonly sockets: SocketReactionRegistry,
  ) {}

  onModuleInit(): void {
    this.restrictions.register({
      name: MFA_ENROLLMENT,
      error: () => AccessError.mfa_enrollment_required(),
    });
    this.sockets.joinRooms((ctx) => (ctx.organizationId && !ctx.meta.mfaEnabled ? [withoutMfaRoom(ctx.organizationId)] : []));
    this.sockets.disconnectOn('mfa.disabled', (event) => {
      const { user_id: userId } = event.payload as { user_id?: string };
      return userId ? [Rooms.user(userId)] : [];
    });
    this.sockets.disconnectOn('organization.updated', (event) => {
      const {
        organization_id: organizationId,
        mfa_required: required,
        action,
      } = event.payload as {
        organization_id?: string;
        mfa_required?: boolean;
        action?: string;
      };
      // Only a settings change can turn the requirement on (a rename need not drop anyone's sockets).
      return organizationId && required && action === 'organization.settings_updated' ? [withoutMfaRoom(organizationId)] : [];
    });
  }
}
