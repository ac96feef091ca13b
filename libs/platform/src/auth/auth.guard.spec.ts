import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { RequestContext } from '../context/request-context.js';
import { AuthGuard } from './auth.guard.js';
import { AccessRestrictionRegistry } from '../contributions/access-restrictions.registry.js';
import { Authenticator } from './authenticator.js';

class NobodyAuthenticator extends Authenticator {
  authenticate(): Promise<RequestContext> {
    throw new Error('not reached');
  }
}

function handlerOfType(type: string): ExecutionContext {
  class SomeController {}
  const handle = () => undefined;
  return {
    getType: () => type,
    getHandler: () => handle,
    getClass: () => SomeController,
    switchToWs: () => ({ getClient: () => ({ data: {} }) }),
  } as unknown as ExecutionContext;
}

describe('AuthGuard outside HTTP', () => {
  const guard = new AuthGuard(new Reflector(), new NobodyAuthenticator(), new AccessRestrictionRegistry());

  it('refuses a handler of a kind it does not know (e.g. a microservice message)', async () => {
    expect(await guard.canActivate(handlerOfType('rpc'))).toBe(false);
  });

  it('refuses a socket message without an authenticated socket', async () => {
    await expect(guard.canActivate(handlerOfType('ws'))).rejects.toMatchObject({ kind: 'unauthorized', code: 'missing_credentials' });
  });
});
