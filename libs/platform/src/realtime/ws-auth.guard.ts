import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PERMISSIONS_KEY } from '../auth/decorators.js';
import { RouteMemo } from '../http/route-memo.js';
import { PlatformError } from '../platform.errors.js';
import { socketContext } from './ws-ctx.decorator.js';

/**
 * Guards socket message handlers (the global AuthGuard delegates to it): the socket must carry the
 * context the gateway's handshake authenticated, holding every permission the handler's `@Permissions`
 * lists. Sockets without one (e.g. on a namespace the handshake does not cover) are refused, also on
 * `@Public` handlers: there is no anonymous socket message.
 */
@Injectable()
export class WsAuthGuard implements CanActivate {
  private readonly required: RouteMemo<string[]>;

  constructor(reflector: Reflector) {
    this.required = new RouteMemo((targets) => reflector.getAllAndOverride<string[]>(PERMISSIONS_KEY, targets) ?? []);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'ws') return false;
    const ctx = socketContext(context.switchToWs().getClient<{ data?: unknown }>());
    if (!ctx) throw PlatformError.missing_credentials('This socket is not authenticated: connect with a token');
    const missing = this.required.of(context).filter((p) => !ctx.can(p));
    if (missing.length) {
      throw PlatformError.missing_permission(`This action requires the permission(s): ${missing.join(', ')}`);
    }
    return true;
  }
}
