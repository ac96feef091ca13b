import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiList, Ctx, Permissions, type RequestContext } from '@atrium/platform';
import { PresenceService } from './presence.service.js';

export class PresenceDto {
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ enum: ['online'] }) status: 'online';
  @ApiProperty({ description: 'Since when the member has had a socket open (their oldest on any instance)' }) since: string;
}

@ApiTags('Chat')
@Controller('presence')
export class PresenceController {
  constructor(private readonly presence: PresenceService) {}

  @Get()
  @Permissions('chats.use')
  @ApiOperation({
    summary: 'Members of the current organization online now',
    description:
      'A member is online while they have a socket acting for this organization on any instance. Changes arrive as ' +
      '`presence:changed {user_id, status}` on every socket of the organization; read this once after connecting.',
  })
  @ApiList(PresenceDto)
  async list(@Ctx() ctx: RequestContext): Promise<{ data: PresenceDto[] }> {
    const rows = await this.presence.online(ctx.requireOrganizationId());
    return { data: rows.map((r) => ({ user_id: r.user_id, status: 'online', since: new Date(r.since).toISOString() })) };
  }
}
