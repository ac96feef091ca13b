import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AllowRestricted,
  ApiInvalid,
  ApiPage,
  Authenticated,
  Ctx,
  ErrorBody,
  type Page,
  PageQueryDto,
  type RequestContext,
} from '@atrium/platform';
import { SessionDto } from './dto/session.dto.js';
import { UserSessionsService } from './user-sessions.service.js';

@ApiTags('auth')
@Authenticated()
@AllowRestricted()
@Controller('auth/sessions')
export class SessionsController {
  constructor(private readonly sessions: UserSessionsService) {}

  @Get()
  @ApiOperation({ summary: 'Your signed-in devices; `current` marks the one making this request' })
  @ApiPage(SessionDto)
  @ApiInvalid()
  async list(@Ctx() ctx: RequestContext, @Query() query: PageQueryDto): Promise<Page<SessionDto>> {
    const page = await this.sessions.list(ctx, query);
    return { ...page, data: page.data.map((s) => SessionDto.from(s, ctx.meta.sessionId)) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign one of your sessions out; its access tokens stop working at once and its sockets close' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBody, description: 'No open session of yours has this id' })
  async end(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.sessions.end(ctx, id);
  }
}
