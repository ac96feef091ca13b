import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { AppConfig, isUniqueViolation, MailService, Outbox, type RequestContext } from '@atrium/platform';
import { OrganizationProvisioner } from '@atrium/organizations';
import { PasswordService } from '../passwords/password.service.js';
import { User } from '../users/user.entity.js';
import type { RegisterOrganizationDto } from './dto/register.dto.js';
import { welcomeMail } from './welcome.mail.js';
import { AccountsError } from '../accounts.errors.js';

const emailTaken = () => AccountsError.email_taken();

/**
 * Signs up a new organization and its owner in one transaction, which also queues the welcome mail and writes
 * `organization.registered` (whose subscriber mails the verification link): both reach the owner even if the
 * process dies right after the commit.
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly provisioner: OrganizationProvisioner,
    private readonly mail: MailService,
    private readonly outbox: Outbox,
    private readonly config: AppConfig,
    private readonly audit: AuditWriter,
  ) {}

  async register(ctx: RequestContext, dto: RegisterOrganizationDto): Promise<{ userId: string; organizationId: string }> {
    this.passwords.assertStrong(dto.password, { email: dto.email });
    if (await this.dataSource.getRepository(User).exists({ where: { email: dto.email } })) throw emailTaken();
    const passwordHash = await this.passwords.hash(dto.password);

    return this.dataSource
      .transaction(async (em) => {
        const user = await em.getRepository(User).save(
          em.getRepository(User).create({
            email: dto.email,
            passwordHash,
            firstName: dto.first_name,
            lastName: dto.last_name,
          }),
        );
        const { organization } = await this.provisioner.provision(
          em,
          { name: dto.organization_name, email: dto.organization_email ?? dto.email },
          user.id,
        );
        const scoped = ctx.withOrganization(organization.id, []);
        await this.audit.record(em, scoped, {
          action: 'organization.registered',
          resourceType: 'organization',
          resourceId: organization.id,
          target: organization.name,
          actorUserId: user.id,
          after: { name: organization.name, email: organization.email, owner: { id: user.id, email: user.email } },
        });
        await this.mail.sendIn(em, scoped, welcomeMail(user, dto.organization_name, this.config.http.publicUrl), `welcome:${user.id}`);
        // Last: an organization's event holds its ordering lock until the commit.
        this.outbox.add(em, {
          name: 'organization.registered',
          organizationId: organization.id,
          actorId: user.id,
          payload: { organization_id: organization.id, user_id: user.id },
          requestId: ctx.requestId,
        });
        return { userId: user.id, organizationId: organization.id };
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err, 'uq_users_email')) throw emailTaken();
        throw err;
      });
  }
}
