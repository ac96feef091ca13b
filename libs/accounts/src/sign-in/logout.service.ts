import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { type RequestContext } from '@atrium/platform';
import { describeDevice, SessionService } from '@atrium/access';
import { AccountsError } from '../accounts.errors.js';

@Injectable()
export class LogoutService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionService,
    private readonly audit: AuditWriter,
  ) {}

  async logout(ctx: RequestContext): Promise<void> {
    const sessionId = ctx.meta.sessionId;
    if (!sessionId) throw AccountsError.no_session('Only a signed-in session can log out; API keys are revoked instead');
    await this.dataSource.transaction(async (em) => {
      await this.sessions.revoke([sessionId], 'logout', em);
      await this.audit.record(em, ctx, {
        action: 'session.ended',
        resourceType: 'session',
        resourceId: sessionId,
        target: describeDevice(ctx.meta.userAgent ?? null),
        metadata: { reason: 'logout' },
      });
    });
  }
}
