import { Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createServer } from 'node:http';
import type { Server } from 'socket.io';
import { AppConfig } from '../config/app-config.js';
import { RealtimeSubscriber } from '../events/realtime-subscriber.js';
import { AtriumSocketAdapter } from './socket-adapter.js';
import { SocketDirectory } from './socket-directory.js';

/**
 * A socket.io server on the api's fan-out adapter, attached to an HTTP server that never listens: what a process
 * without sockets emits through. (socket.io's close() needs an attached engine, hence the idle HTTP server.)
 */
@Injectable()
class HeadlessRealtime implements OnModuleInit, OnApplicationShutdown {
  private adapter?: AtriumSocketAdapter;
  private server?: Server;

  constructor(
    private readonly config: AppConfig,
    private readonly push: RealtimeSubscriber,
    private readonly directory: SocketDirectory,
  ) {}

  async onModuleInit(): Promise<void> {
    this.adapter = new AtriumSocketAdapter(createServer() as never, this.config);
    await this.adapter.connect();
    this.server = this.adapter.createIOServer(0);
    this.push.attach(this.server);
    this.directory.attach(this.server);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.adapter && this.server) await this.adapter.close(this.server);
  }
}

/** For the worker: lets its outbox relay push realtime events to the api instances' sockets. */
@Module({ providers: [HeadlessRealtime] })
export class HeadlessRealtimeModule {}
