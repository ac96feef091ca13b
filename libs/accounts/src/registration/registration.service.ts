import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditWriter } from '@atrium/audit';
import { AppConfig, Clock, isUniqueViolation, MailService, Outbox, type RequestContext } from '@atrium/platform';
import { OrganizationProvisioner } from '@atrium/organizations';
import { PasswordService } from '../passwords/password.service.js';
import { User } from '../users/user.entity.js';
import type { RegisterOrganizationDto } from './dto/register.dto.js';
import { registrationAttemptMail, welcomeMail } from './welcome.mail.js';

/** Thrown inside a rehearsal's transaction to roll it back with the ids it made. */
class Rehearsed extends Error {
  constructor(readonly ids: Registered) {
    super('registration rehearsal rolled back');
  }
}

type Registered = { userId: string; organizationId: string };

const HOUR_MS = 3600_000;

/**
 * Signs up a new organization and its owner in one transaction, which also queues the welcome mail and writes
 * `organization.registered` (whose subscriber mails the verification link): both reach the owner even if the
 * process dies right after the commit.
 *
 * An email that already has an account is answered exactly as a new one (201, ids, in about the same time), so the
 * route cannot tell anyone which addresses have accounts: the same transaction runs for a stand-in address and is
 * rolled back, and the address's holder is mailed about the attempt (at most once an hour).
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
    private readonly clock: Clock,
  ) {}

  async register(ctx: RequestContext, dto: RegisterOrganizationDto): Promise<Registered> {
    this.passwords.assertStrong(dto.password, { email: dto.email });
    // Hashed before anything is looked up: a taken address costs the same hash as a free one.
    const passwordHash = await this.passwords.hash(dto.password);
    const holder = await this.dataSource.getRepository(User).findOne({ where: { email: dto.email }, select: { id: true } });
    if (holder) return this.alreadyRegistered(ctx, dto, passwordHash, holder.id);
    return this.provision(ctx, dto, dto.email, passwordHash).catch(async (err: unknown) => {
      if (!isUniqueViolation(err, 'uq_users_email')) throw err;
      const taken = await this.dataSource.getRepository(User).findOne({ where: { email: dto.email }, select: { id: true } });
      return this.alreadyRegistered(ctx, dto, passwordHash, taken?.id ?? dto.email);
    });
  }

  /**
   * The answer to a taken address, in one transaction as a registration is: the registration rehearsed in a savepoint
   * and rolled back to it, then the mail to the address's holder.
   */
  private alreadyRegistered(
    ctx: RequestContext,
    dto: RegisterOrganizationDto,
    passwordHash: string,
    holderId: string,
  ): Promise<Registered> {
    const hour = Math.floor(this.clock.now().getTime() / HOUR_MS);
    return this.dataSource.transaction(async (em) => {
      const ids = await em
        .transaction((rehearsal) =>
          this.provisionIn(rehearsal, ctx, dto, `${randomUUID()}@registration-rehearsal.invalid`, passwordHash, { rehearse: true }),
        )
        .catch((err: unknown) => {
          if (err instanceof Rehearsed) return err.ids;
          throw err;
        });
      await this.mail.sendIn(
        em,
        ctx,
        registrationAttemptMail(dto.email, dto.organization_name, this.config.http.publicUrl),
        `registration-attempt:${holderId}:${hour}`,
      );
      return ids;
    });
  }

  private provision(ctx: RequestContext, dto: RegisterOrganizationDto, email: string, passwordHash: string): Promise<Registered> {
    return this.dataSource.transaction((em) => this.provisionIn(em, ctx, dto, email, passwordHash));
  }

  private async provisionIn(
    em: EntityManager,
    ctx: RequestContext,
    dto: RegisterOrganizationDto,
    email: string,
    passwordHash: string,
    opts: { rehearse?: boolean } = {},
  ): Promise<Registered> {
    const user = await em.getRepository(User).save(
      em.getRepository(User).create({
        email,
        passwordHash,
        firstName: dto.first_name,
        lastName: dto.last_name,
      }),
    );
    return this.provisioner.provision(
      em,
      { name: dto.organization_name, email: dto.organization_email ?? email },
      user.id,
      async ({ organization }) => {
        if (opts.rehearse) throw new Rehearsed({ userId: user.id, organizationId: organization.id });
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
      },
    );
  }
}
