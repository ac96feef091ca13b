import { Module } from '@nestjs/common';
import { AccessModule, MfaModule } from '@atrium/access';
import { AuditModule } from '@atrium/audit';
import { OrganizationsModule } from '@atrium/organizations';
import { AccountsNotifications } from './accounts.notifications.js';
import { PasswordService } from './passwords/password.service.js';
import { RegistrationService } from './registration/registration.service.js';
import { AuthController } from './sign-in/auth.controller.js';
import { LoginService } from './sign-in/login.service.js';
import { LogoutService } from './sign-in/logout.service.js';
import { MeController } from './users/me.controller.js';
import { MeService } from './users/me.service.js';

/** Accounts: registration, sign-in and sign-out, the signed-in user's profile and password, and their notification types. */
@Module({
  imports: [AccessModule, MfaModule, OrganizationsModule, AuditModule],
  controllers: [AuthController, MeController],
  providers: [PasswordService, RegistrationService, LoginService, LogoutService, MeService, AccountsNotifications],
  exports: [PasswordService, LoginService],
})
export class AccountsModule {}
