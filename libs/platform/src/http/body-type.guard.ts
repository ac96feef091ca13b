import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { Request } from 'express';
import { PlatformError } from '../platform.errors.js';

/** The media types `bodyParsers` reads into `@Body()`. */
const PARSED_TYPES = new Set(['application/json', 'application/x-www-form-urlencoded']);

const bodyKey = `${RouteParamtypes.BODY}:`;

/**
 * 415 for a body of another type sent to a handler that takes `@Body()`: the parsers leave such a body unread, so
 * without this the handler would see an empty object and answer as if nothing had been sent. Handlers that read the
 * request themselves (uploads, signed webhooks of any type) take no `@Body()` and are left alone. A guard, not an
 * interceptor: a global interceptor would put every request of every route through an rxjs chain.
 */
@Injectable()
export class BodyTypeGuard implements CanActivate {
  private readonly takesBody = new WeakMap<object, boolean>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() === 'http') {
      const req = context.switchToHttp().getRequest<Request>();
      if (hasBody(req) && this.handlerTakesBody(context)) {
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        if (!PARSED_TYPES.has(type)) {
          throw PlatformError.unsupported_media_type(`Send the body as application/json, not ${type || 'a body without a content type'}`);
        }
      }
    }
    return true;
  }

  private handlerTakesBody(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let known = this.takesBody.get(handler);
    if (known === undefined) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<string, unknown>;
      known = Object.keys(args).some((k) => k.startsWith(bodyKey));
      this.takesBody.set(handler, known);
    }
    return known;
  }
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}
