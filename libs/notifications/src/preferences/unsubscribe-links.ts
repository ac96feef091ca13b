import { Injectable } from '@nestjs/common';
import { AppConfig, Clock } from '@atrium/platform';
import { NotificationsConfig } from '../notifications.config.js';
import { type UnsubscribeClaims, UnsubscribeTokens } from './unsubscribe-token.js';

/** The one-click unsubscribe links mail carries (`POST` turns the type's email off; `GET` shows a page that asks). */
@Injectable()
export class UnsubscribeLinks {
  private readonly tokens: UnsubscribeTokens;

  constructor(
    app: AppConfig,
    private readonly config: NotificationsConfig,
    private readonly clock: Clock,
  ) {
    this.tokens = new UnsubscribeTokens(app.encryptionKey);
  }

  /** The link for mail of `type` to this user in this organization. */
  url(organizationId: string, userId: string, type: string): string {
    const token = this.tokens.sign({ organizationId, userId, type, issuedAt: this.clock.now() });
    return `${this.config.publicUrl}/api/v1/notifications/unsubscribe?token=${token}`;
  }

  /** A link's claims, or null when it is not one of ours. */
  verify(token: unknown): UnsubscribeClaims | null {
    return this.tokens.verify(token);
  }
}
