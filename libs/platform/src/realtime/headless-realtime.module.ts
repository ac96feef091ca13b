import { Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Server } from 'socket.io';
import { AppConfig } from '../config/app-config.js';
import { RealtimeSubscriber } from '../events/realtime-subscriber.js';
import { type Fanout, openFanout } from './socket-adapter.js';

/** A socket.io server with no listener, only the fan-out adapter: what a process without sockets emits through. */
@Injectable()
class HeadlessRealtime implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Realtime');
  private fanout?: Fanout;
  private server?: Server;

  constructor(
    private readonly config: AppConfig,
    private readonly push: RealtimeSubscriber,
  ) {}

  async onModuleInit(): Promise<void> {
    this.fanout = await openFanout(this.config, this.logger);
    this.server = new Server({ adapter: this.fanout.adapter });
    this.push.attach(this.server);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close().catch(() => undefined);
    await this.fanout?.close();
  }
}

/** For the worker: lets its outbox relay push realtime events to the api instances' sockets. */
@Module({ providers: [HeadlessRealtime] })
export class HeadlessRealtimeModule {}
