import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Rooms, SocketReactionRegistry } from '@atrium/platform';
import { MEMBER_REVOKED, type MemberRevokedPayload } from './member-events.js';

/**
 * A revoked member's sockets acting for that organization end on every instance, even those opened with the
 * `organizationId` of a second organization, whose session lives on.
 */
@Injectable()
export class MemberReactions implements OnModuleInit {
  constructor(private readonly sockets: SocketReactionRegistry) {}

  onModuleInit(): void {
    this.sockets.disconnectOn(MEMBER_REVOKED, (event) => {
      const { user_id: userId } = event.payload as Partial<MemberRevokedPayload>;
      return userId && event.organizationId ? [Rooms.member(event.organizationId, userId)] : [];
    });
  }
}
