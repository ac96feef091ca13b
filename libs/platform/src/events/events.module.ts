import { Global, Module } from '@nestjs/common';
import { EventBus } from './event-bus.js';
import { Outbox } from './outbox.js';
import { OutboxRelayService } from './outbox-relay.service.js';
import { RealtimeSubscriber } from './realtime-subscriber.js';
import { SocketDirectory } from '../realtime/socket-directory.js';

@Global()
@Module({
  providers: [EventBus, Outbox, OutboxRelayService, RealtimeSubscriber, SocketDirectory],
  exports: [EventBus, Outbox, RealtimeSubscriber, SocketDirectory],
})
export class EventsModule {}
