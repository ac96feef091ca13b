import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Clock } from '../time/clock.js';
import { AppConfig } from './app-config.js';

/** Makes the one AppConfig instance, and the Clock, injectable everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: AppConfig, useValue: config }, Clock], exports: [AppConfig, Clock] };
  }
}
