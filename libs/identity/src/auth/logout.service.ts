import { Injectable } from '@nestjs/common';
import { badRequest, type RequestContext } from '@atrium/platform';
import { SessionService } from '../sessions/session.service.js';

@Injectable()
export class LogoutService {
  constructor(private readonly sessions: SessionService) {}

  async logout(ctx: RequestContext): Promise<void> {
    if (!ctx.meta.sessionId) throw badRequest('no_session', 'Only a signed-in session can log out; API keys are revoked instead');
    await this.sessions.revoke([ctx.meta.sessionId], 'logout');
  }
}
