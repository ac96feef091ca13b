import { Injectable, type OnModuleInit } from '@nestjs/common';
import { RealtimeSubscriber } from '../events/realtime-subscriber.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { SocketDirectory } from './socket-directory.js';

/**
 * Lets the outbox's realtime subscriber push through this process's gateway, and the socket directory ask it who is
 * connected (its server exists before module init).
 */
@Injectable()
export class GatewayOutboxLink implements OnModuleInit {
  constructor(
    private readonly gateway: RealtimeGateway,
    private readonly push: RealtimeSubscriber,
    private readonly directory: SocketDirectory,
  ) {}

  onModuleInit(): void {
    this.push.attach(this.gateway.server);
    this.directory.attach(this.gateway.server);
  }
}
