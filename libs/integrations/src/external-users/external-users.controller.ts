import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiInvalid, ApiPage, Authenticated, Ctx, type Page, Permissions, type RequestContext } from '@atrium/platform';
import { ExternalUserDto, ExternalUserQueryDto } from './dto/external-user.dto.js';
import { ExternalUserReader } from './external-user-reader.js';

@ApiTags('integrations')
@Authenticated()
@Controller('integrations/external-users')
export class ExternalUsersController {
  constructor(private readonly users: ExternalUserReader) {}

  @Get()
  @Permissions('integrations.view')
  @ApiOperation({
    summary: 'Users the organization’s partner services reported (`user.created`/`user.updated`), linked to Atrium accounts by email',
  })
  @ApiPage(ExternalUserDto)
  @ApiInvalid()
  list(@Ctx() ctx: RequestContext, @Query() query: ExternalUserQueryDto): Promise<Page<ExternalUserDto>> {
    return this.users.list(ctx, query);
  }
}
