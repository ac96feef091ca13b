import { Module } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { AccessModule } from '../access.module.js';
import { SessionsController } from './sessions.controller.js';
import { UserSessionsService } from './user-sessions.service.js';

/** Lets users see and end their own sessions . */
@Module({
  imports: [AccessModule, AuditModule],
  controllers: [SessionsController],
  providers: [UserSessionsService],
})
export class SessionsModule {}
