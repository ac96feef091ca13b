import { Module, UseFilters } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Permissions, type RequestContext, WsCtx, WsExceptionFilter } from '@atrium/platform';
import { createMember, registerOrg } from '../support/members.js';
import { connectSocket } from '../support/socket.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Which probe handlers actually ran, so a refusal is proven by the handler not running. */
const ran: string[] = [];

/** A test-only gateway on the main namespace, where the handshake authenticates every socket. */
@UseFilters(WsExceptionFilter)
@WebSocketGateway()
class ProbeGateway {
  @SubscribeMessage('probe:whoami')
  whoami(@WsCtx() ctx: RequestContext) {
    ran.push(`whoami:${ctx.userId}`);
    return { data: { user_id: ctx.userId, organization_id: ctx.organizationId } };
  }

  @Permissions('roles.manage')
  @SubscribeMessage('probe:manage-roles')
  manageRoles(@WsCtx() ctx: RequestContext) {
    ran.push(`manage-roles:${ctx.userId}`);
    return { data: 'handled' };
  }
}

/** A gateway on another namespace: no handshake authentication runs there, so no socket has a context. */
@UseFilters(WsExceptionFilter)
@WebSocketGateway({ namespace: '/probe' })
class NamespacedProbeGateway {
  @SubscribeMessage('probe:open')
  open() {
    ran.push('open');
    return { data: 'handled' };
  }
}

@Module({ providers: [ProbeGateway, NamespacedProbeGateway] })
class ProbeModule {}

let t: TestApp;
const sockets: Socket[] = [];
const connect = async (url: string, opts: Parameters<typeof connectSocket>[1]) => {
  const socket = await connectSocket(url, opts);
  sockets.push(socket);
  return socket;
};

beforeAll(async () => {
  t = await startTestApp({}, { imports: [ProbeModule] });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

describe('socket message handlers', () => {
  it("hands an authenticated socket's message to its handler with the socket's context", async () => {
    const org = await registerOrg(t.http);
    const socket = await connect(t.url, { token: org.accessToken });
    const answer = await socket.timeout(5000).emitWithAck('probe:whoami', {});
    expect(answer).toEqual({ data: { user_id: org.userId, organization_id: org.organizationId } });
  });

  it("answers an error ack and does not run a handler whose permission the socket's member lacks", async () => {
    const org = await registerOrg(t.http);
    const member = await createMember(t, org, 'member');
    const memberSocket = await connect(t.url, { token: member.accessToken });
    const refused = await memberSocket.timeout(5000).emitWithAck('probe:manage-roles', {});
    expect(refused).toMatchObject({ statusCode: 403, code: 'missing_permission', message: expect.stringContaining('roles.manage') });
    expect(ran).not.toContain(`manage-roles:${member.userId}`);

    const ownerSocket = await connect(t.url, { token: org.accessToken });
    expect(await ownerSocket.timeout(5000).emitWithAck('probe:manage-roles', {})).toEqual({ data: 'handled' });
    expect(ran).toContain(`manage-roles:${org.userId}`);
  });

  it('refuses every message of a socket nobody authenticated (a gateway on another namespace)', async () => {
    // No handshake check runs on this namespace, so there is no `connected` admission event to wait for.
    const anonymous = io(`${t.url}/probe`, { transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(anonymous);
    await new Promise<void>((resolve, reject) => {
      anonymous.once('connect', () => resolve());
      anonymous.once('connect_error', reject);
    });
    const refused = await anonymous.timeout(5000).emitWithAck('probe:open', {});
    expect(refused).toMatchObject({ statusCode: 401, code: 'missing_credentials' });
    expect(ran).not.toContain('open');
  });
});
