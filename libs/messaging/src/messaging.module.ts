import { type DynamicModule, Module } from '@nestjs/common';
import { CallsModule } from './calls/calls.module.js';
import { ChatAccessModule } from './chats/chat-access.module.js';

/**
 * Chats, messages and calls (WebRTC signaling) over REST and socket.io. `register` adds calls, whose timers run on
 * the queue's workers only where `workers` is true.
 */
@Module({
  imports: [ChatAccessModule],
  exports: [ChatAccessModule],
})
export class MessagingModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return { module: MessagingModule, imports: [CallsModule.register(opts)] };
  }
}
