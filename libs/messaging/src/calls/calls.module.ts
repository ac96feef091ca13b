import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { AppConfig } from '@atrium/platform';
import { ChatAccessModule } from '../chats/chat-access.module.js';
import { CallLifecycle } from './call-lifecycle.js';
import { CallService } from './call.service.js';
import { CallTimeouts, CALL_TIMEOUT_QUEUE } from './call-timeouts.js';
import { CallTimeoutsProcessor } from './call-timeouts.processor.js';
import { CallsConfig, loadCallsConfig } from './calls.config.js';
import { CallsController } from './calls.controller.js';
import { CallsGateway } from './calls.gateway.js';
import { IceServers } from './ice-servers.js';

/**
 * Calls in chats (WebRTC signaling): REST, the socket relay, ICE servers, and the timers on the queue, whose worker
 * side runs only where `workers` is true (like MailModule).
 */
@Module({})
export class CallsModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: CallsModule,
      imports: [ChatAccessModule, AuditModule, BullModule.registerQueue({ name: CALL_TIMEOUT_QUEUE })],
      controllers: [CallsController],
      providers: [
        { provide: CallsConfig, useFactory: (app: AppConfig) => loadCallsConfig(app), inject: [AppConfig] },
        IceServers,
        CallLifecycle,
        CallService,
        CallTimeouts,
        CallsGateway,
        ...(opts.workers ? [CallTimeoutsProcessor] : []),
      ],
    };
  }
}
