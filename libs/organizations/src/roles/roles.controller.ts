import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ApiData,
  ApiInvalid,
  ApiList,
  ApiPage,
  Authenticated,
  Ctx,
  ErrorBody,
  type Page,
  PageQueryDto,
  Permissions,
  type RequestContext,
} from '@atrium/platform';
import { PERMISSION_CATALOGUE } from './permissions.js';
import { CreateRoleDto, PermissionDto, RoleDto, RoleUsageDto, UpdateRoleDto } from './dto/role.dto.js';
import { RoleService } from './role.service.js';

@ApiTags('roles')
@Authenticated()
@Controller('roles')
export class RolesController {
  constructor(private readonly roles: RoleService) {}

  @Get()
  @Permissions('roles.view')
  @ApiOperation({ summary: "The organization's roles, built-in first" })
  @ApiPage(RoleDto)
  @ApiInvalid()
  async list(@Ctx() ctx: RequestContext, @Query() query: PageQueryDto): Promise<Page<RoleDto>> {
    const page = await this.roles.list(ctx, query);
    return { ...page, data: page.data.map((r) => RoleDto.from(r)) };
  }

  @Get('permissions')
  @Permissions('roles.view')
  @ApiOperation({ summary: 'Every permission a role may hold, with what it allows' })
  @ApiList(PermissionDto)
  permissions(): { data: PermissionDto[] } {
    return { data: PermissionDto.catalogue(PERMISSION_CATALOGUE) };
  }

  @Get('usage-counts')
  @Permissions('roles.view')
  @ApiOperation({ summary: 'For each role: active members holding it and open invitations granting it' })
  @ApiList(RoleUsageDto)
  async usageCounts(@Ctx() ctx: RequestContext): Promise<{ data: RoleUsageDto[] }> {
    return { data: await this.roles.usageCounts(ctx) };
  }

  @Get(':id')
  @Permissions('roles.view')
  @ApiOperation({ summary: 'One role' })
  @ApiData(RoleDto)
  @ApiNotFoundResponse({ type: ErrorBody })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: RoleDto }> {
    return { data: RoleDto.from(await this.roles.get(ctx, id)) };
  }

  @Post()
  @Permissions('roles.manage')
  @ApiOperation({ summary: 'Create a custom role; unknown permissions answer 400, ones you do not hold 403' })
  @ApiData(RoleDto, 'Created', 201)
  @ApiInvalid()
  @ApiConflictResponse({ type: ErrorBody, description: 'The slug is taken (`role_slug_taken`)' })
  async create(@Ctx() ctx: RequestContext, @Body() dto: CreateRoleDto): Promise<{ data: RoleDto; message: string }> {
    return { data: RoleDto.from(await this.roles.create(ctx, dto)), message: 'Role created' };
  }

  @Put(':id')
  @Permissions('roles.manage')
  @ApiOperation({ summary: 'Change a custom role (name, description, permissions); applies to its holders on their next request' })
  @ApiData(RoleDto)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: 'Built-in roles cannot be changed (`built_in_role`)' })
  async update(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() dto: UpdateRoleDto,
  ): Promise<{ data: RoleDto; message: string }> {
    return { data: RoleDto.from(await this.roles.update(ctx, id, dto)), message: 'Role updated' };
  }

  @Delete(':id')
  @HttpCode(204)
  @Permissions('roles.manage')
  @ApiOperation({ summary: 'Delete a custom role nobody holds' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({
    type: ErrorBody,
    description: 'Built-in (`built_in_role`), held (`role_in_use`) or the default role (`role_is_default`)',
  })
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.roles.remove(ctx, id);
  }
}
