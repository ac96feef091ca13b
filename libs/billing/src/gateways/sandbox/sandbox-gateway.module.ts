import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { SandboxCallbackProcessor } from './sandbox-callback.processor.js';
import { SANDBOX_CALLBACK_QUEUE, SandboxCallbackScheduler } from './sandbox-callbacks.js';
import { SandboxCheckoutController } from './sandbox-checkout.controller.js';
import { SandboxCheckoutService } from './sandbox-checkout.service.js';
import { SandboxLedger } from './sandbox-ledger.js';
import { SandboxGateway } from './sandbox.gateway.js';

/**
 * The sandbox gateway: the gateway itself, its checkout page, and its callbacks (queued in every process, sent by
 * the worker side only where workers run). Reads BillingConfig, which the global BillingModule provides.
 */
@Module({})
export class SandboxGatewayModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: SandboxGatewayModule,
      imports: [BullModule.registerQueue({ name: SANDBOX_CALLBACK_QUEUE })],
      controllers: [SandboxCheckoutController],
      providers: [
        SandboxLedger,
        SandboxGateway,
        SandboxCheckoutService,
        SandboxCallbackScheduler,
        ...(opts.workers ? [SandboxCallbackProcessor] : []),
      ],
      exports: [SandboxGateway],
    };
  }
}
