import { Module } from '@nestjs/common';
import { GatewayOutboxLink } from './gateway-outbox.link.js';
import { RealtimeGateway } from './realtime.gateway.js';

@Module({ providers: [RealtimeGateway, GatewayOutboxLink] })
export class RealtimeModule {}
