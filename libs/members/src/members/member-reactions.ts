import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Rooms, SocketReactionRegistry } from '@atrium/platform';

/**
 * A revoked member's sockets acting for that organization end on every instance, even those opened with the
 * `organizationId` of a second organization, whose session lives on.
 */
@Injectable()
export class MemberReactions implements OnModuleInit {
  constructor(private readonly sockets: SocketReactionRegistry) {}

  onModuleInit(): void {
    this.sockets.disconnectOn('member.revoked', (event) => {
      const { user_id: userId } = event.payload as { user_id?: string };
      return userId && event.organizationId ? [Rooms.member(event.organizationId, userId)] : [];
    });
  }
}
