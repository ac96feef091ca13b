import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '@atrium/platform';
import { CallsConfig } from './calls.config.js';

/** One entry of `RTCConfiguration.iceServers`. */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/**
 * A TURN credential in the TURN REST API scheme coturn implements with `use-auth-secret`: the username is the unix
 * time it expires at and the user id, the password base64(HMAC-SHA1(secret, username)). The TURN server checks it
 * with the shared secret alone, and refuses it after the expiry.
 */
export function turnCredential(secret: string, userId: string, expiresAtSeconds: number): { username: string; credential: string } {
  const username = `${expiresAtSeconds}:${userId}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** The ICE servers a member's browser connects a call through: STUN, and TURN with a credential signed for them. */
@Injectable()
export class IceServers {
  constructor(
    private readonly config: CallsConfig,
    private readonly clock: Clock,
  ) {}

  for(userId: string): { iceServers: IceServer[]; ttl_seconds: number | null } {
    const servers: IceServer[] = this.config.stunUrls.length ? [{ urls: this.config.stunUrls }] : [];
    const turn = this.config.turn;
    if (!turn) return { iceServers: servers, ttl_seconds: null };
    const expires = Math.floor(this.clock.now().getTime() / 1000) + turn.ttlSeconds;
    return { iceServers: [...servers, { urls: turn.urls, ...turnCredential(turn.secret, userId, expires) }], ttl_seconds: turn.ttlSeconds };
  }
}
