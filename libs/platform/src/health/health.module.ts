import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { MAIL_QUEUE } from '../mail/mail-message.js';
import { HealthController } from './health.controller.js';

@Module({ imports: [BullModule.registerQueue({ name: MAIL_QUEUE })], controllers: [HealthController] })
export class HealthModule {}
