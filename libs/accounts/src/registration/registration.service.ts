import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { AppConfig, EventBus, isUniqueViolation, MailService, type RequestContext } from '@atrium/platform';
import { OrganizationProvisioner } from '@atrium/organizations';
import { PasswordService } from '../passwords/password.service.js';
import { User } from '../users/user.entity.js';
import type { RegisterOrganizationDto } from './dto/register.dto.js';
import { welcomeMail } from './welcome.mail.js';
import { AccountsError } from '../accounts.errors.js';

const emailTaken = () => AccountsError.email_taken();

/** Signs up a new organization and its owner in one transaction, then welcomes them. */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly provisioner: OrganizationProvisioner,
    private readonly mail: MailService,
    private readonly events: EventBus,
    private readonly config: AppConfig,
    private readonly audit: AuditWriter,
  ) {}

  async register(ctx: RequestContext, dto: RegisterOrganizationDto): Promise<{ userId: string; organizationId: string }> {
    this.passwords.assertStrong(dto.password, { email: dto.email });
    if (await this.dataSource.getRepository(User).exists({ where: { email: dto.email } })) throw emailTaken();
    const passwordHash = await this.passwords.hash(dto.password);

    const { user, organizationId } = await this.dataSource
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
        await this.audit.record(em, ctx.withOrganization(organization.id, []), {
          action: 'organization.registered',
          resourceType: 'organization',
          resourceId: organization.id,
          actorUserId: user.id,
          after: { name: organization.name, email: organization.email, owner: { id: user.id, email: user.email } },
        });
        return { user, organizationId: organization.id };
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err, 'uq_users_email')) throw emailTaken();
        throw err;
      });

    const scoped = ctx.withOrganization(organizationId, []);
    await this.mail.send(scoped, welcomeMail(user, dto.organization_name, this.config.http.publicUrl), `welcome:${user.id}`);
    await this.events.publish({
      name: 'organization.registered',
      organizationId,
      actorId: user.id,
      payload: { organization_id: organizationId, user_id: user.id },
    });
    return { userId: user.id, organizationId };
  }
}
