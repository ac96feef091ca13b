import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { PlatformError } from '@atrium/platform';
import { MessagingConfig } from '../messaging.config.js';

/** The largest message body a socket handler takes (socket.io's transport limit closes bigger packets' connections). */
export const SOCKET_PAYLOAD_LIMIT_BYTES = 64 * 1024;

/** A socket message body over 64 KB answers 413 `payload_too_large` on the ack; the socket stays connected. */
@Injectable()
export class SocketPayloadLimit implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const body: unknown = context.switchToWs().getData();
    if (Buffer.byteLength(JSON.stringify(body ?? null)) > SOCKET_PAYLOAD_LIMIT_BYTES) {
      throw PlatformError.payload_too_large(`A socket message may carry at most ${SOCKET_PAYLOAD_LIMIT_BYTES} bytes`);
    }
    return true;
  }
}

/**
 * Per-socket limit on the handler it guards: more than MESSAGE_SOCKET_SENDS_PER_10S calls answer 429 `rate_limited`
 * on the ack; the socket stays connected. A socket lives on one instance, so its counter does too.
 */
@Injectable()
export class SocketSendLimit implements CanActivate {
  private readonly limiter: RateLimiterMemory;

  constructor(config: MessagingConfig) {
    this.limiter = new RateLimiterMemory({ keyPrefix: 'chat-socket-send', points: config.socketSendsPer10s, duration: 10 });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const socket = context.switchToWs().getClient<{ id: string }>();
    await this.limiter.consume(socket.id).catch((rejection: unknown) => {
      if (rejection instanceof RateLimiterRes) {
        throw PlatformError.rate_limited(`Too many messages from this socket; try again in ${Math.ceil(rejection.msBeforeNext / 1000)} s`);
      }
      throw rejection;
    });
    return true;
  }
}
