import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Rooms, SocketReactionRegistry } from '@atrium/platform';

/** Ended sessions end their sockets, on every instance (logout, password change, revocation, refresh-token reuse). */
@Injectable()
export class SessionReactions implements OnModuleInit {
  constructor(private readonly sockets: SocketReactionRegistry) {}

  onModuleInit(): void {
    this.sockets.disconnectOn('session.revoked', (event) => {
      const { sessionIds } = event.payload as { sessionIds?: string[] };
      return (sessionIds ?? []).map((id) => Rooms.session(id));
    });
  }
}
