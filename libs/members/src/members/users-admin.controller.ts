import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiInvalid, ApiPage, Authenticated, Ctx, ErrorBody, type Page, Permissions, type RequestContext } from '@atrium/platform';
import { MemberDto, MemberQueryDto } from './dto/member.dto.js';
import { CreateUserDto, RevokeUserDto, UpdateUserDto } from './dto/user-admin.dto.js';
import { MemberDirectory } from './member-directory.js';
import { MemberPages } from './member-pages.js';
import { MemberRevocationService } from './member-revocation.service.js';
import { UserAdminService } from './user-admin.service.js';

const LAST_OWNER = 'The last active owner cannot be demoted, suspended or removed (`last_owner`)';

@ApiTags('users')
@Authenticated()
@Controller('users')
export class UsersAdminController {
  constructor(
    private readonly directory: MemberDirectory,
    private readonly pages: MemberPages,
    private readonly admin: UserAdminService,
    private readonly revocations: MemberRevocationService,
  ) {}

  @Get()
  @Permissions('users.view')
  @ApiOperation({ summary: 'Members of the organization with their role; `search` matches name or email' })
  @ApiPage(MemberDto)
  @ApiInvalid()
  async list(@Ctx() ctx: RequestContext, @Query() query: MemberQueryDto): Promise<Page<MemberDto>> {
    return this.pages.list(ctx, query);
  }

  @Post()
  @Permissions('users.create')
  @ApiOperation({ summary: 'Create an account that is a member here (counts towards the package member limit)' })
  @ApiData(MemberDto, 'Created', 201)
  @ApiInvalid()
  @ApiConflictResponse({ type: ErrorBody, description: 'The email already has an account (`email_taken`): invite it instead' })
  async create(@Ctx() ctx: RequestContext, @Body() dto: CreateUserDto): Promise<{ data: MemberDto; message: string }> {
    return { data: MemberDto.fromView(await this.admin.create(ctx, dto)), message: 'User created' };
  }

  @Get(':id')
  @Permissions('users.view')
  @ApiOperation({ summary: 'One member (also a revoked one, with the reason)' })
  @ApiData(MemberDto)
  @ApiNotFoundResponse({ type: ErrorBody })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: MemberDto }> {
    return { data: MemberDto.fromView(await this.directory.get(ctx, id)) };
  }

  @Put(':id')
  @Permissions('users.edit')
  @ApiOperation({
    summary: "Change a member's role here, and their name, email or status when the account belongs to this organization only",
  })
  @ApiData(MemberDto)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: `${LAST_OWNER}; the account is shared (\`account_shared\`); email taken` })
  async update(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() dto: UpdateUserDto,
  ): Promise<{ data: MemberDto; message: string }> {
    return { data: MemberDto.fromView(await this.admin.update(ctx, id, dto)), message: 'User updated' };
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Permissions('users.revoke')
  @ApiOperation({ summary: "Revoke a member's access here; their sessions for this organization end at once" })
  @ApiData(MemberDto)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: `${LAST_OWNER}; already revoked; your own access` })
  async revoke(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() dto: RevokeUserDto,
  ): Promise<{ data: MemberDto; message: string }> {
    return { data: MemberDto.fromView(await this.revocations.revoke(ctx, id, dto.reason)), message: 'Access revoked' };
  }

  @Delete(':id')
  @HttpCode(204)
  @Permissions('users.revoke')
  @ApiOperation({ summary: 'Remove a member from the organization (the same as revoking without a reason; the account stays)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: LAST_OWNER })
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.revocations.revoke(ctx, id, 'removed');
  }
}
