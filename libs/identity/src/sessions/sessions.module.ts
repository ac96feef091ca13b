import { Module } from '@nestjs/common';
import { SessionsController } from './sessions.controller.js';
import { UserSessionsService } from './user-sessions.service.js';

/** Lets users see and end their own sessions (SessionService comes from the global IdentityModule). */
@Module({
  controllers: [SessionsController],
  providers: [UserSessionsService],
})
export class SessionsModule {}
