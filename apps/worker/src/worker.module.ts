import { type DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, HeadlessRealtimeModule } from '@atrium/platform';
import { coreImports } from '@atrium/composition';

/** The same feature libraries as the api, with their queue workers, and an outbox relay that pushes realtime events through the adapter; no HTTP edge. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: WorkerModule, imports: [...coreImports(config, { workers: true }), HeadlessRealtimeModule] };
  }
}
