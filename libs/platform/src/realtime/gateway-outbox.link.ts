import { Injectable, type OnModuleInit } from '@nestjs/common';
import { RealtimeSubscriber } from '../events/realtime-subscriber.js';
import { RealtimeGateway } from './realtime.gateway.js';

/** Lets the outbox's realtime subscriber push through this process's gateway (its server exists before module init). */
@Injectable()
export class GatewayOutboxLink implements OnModuleInit {
  constructor(
    private readonly gateway: RealtimeGateway,
    private readonly push: RealtimeSubscriber,
  ) {}

  onModuleInit(): void {
    this.push.attach(this.gateway.server);
  }
}
