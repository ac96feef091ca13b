import { Body, Controller, Get, Post, Put, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AllowRestricted,
  ApiData,
  ApiInvalid,
  ApiPage,
  Authenticated,
  Ctx,
  ErrorBody,
  type Page,
  PageQueryDto,
  Permissions,
  type RequestContext,
  RequiresFeature,
} from '@atrium/platform';
import { OrganizationStatsDto } from '../stats/organization-stats.dto.js';
import { type OrganizationStats, OrganizationStatsService } from '../stats/organization-stats.service.js';
import { MyOrganizationDto, OrganizationDto } from './dto/organization.dto.js';
import { UpdateSettingsDto } from './dto/organization-settings.dto.js';
import { CreateOrganizationDto, UpdateOrganizationDto, UpdateSlugDto } from './dto/update-organization.dto.js';
import { MyOrganizationsService } from './my-organizations.service.js';
import { OrganizationProfileService } from './organization-profile.service.js';

@ApiTags('organizations')
@Authenticated()
@Controller('organizations')
export class OrganizationsController {
  constructor(
    private readonly profiles: OrganizationProfileService,
    private readonly mine: MyOrganizationsService,
    private readonly statistics: OrganizationStatsService,
  ) {}

  @Get()
  @AllowRestricted()
  @ApiOperation({ summary: 'Every organization you belong to, with your role there' })
  @ApiPage(MyOrganizationDto)
  @ApiInvalid()
  async list(@Ctx() ctx: RequestContext, @Query() query: PageQueryDto): Promise<Page<MyOrganizationDto>> {
    const page = await this.mine.list(ctx, query);
    return { ...page, data: page.data.map((v) => MyOrganizationDto.fromView(v, ctx.organizationId)) };
  }

  @Post()
  @AllowRestricted()
  @ApiOperation({ summary: 'Create another organization owned by you (on the Free package); switch to it to act there' })
  @ApiData(MyOrganizationDto, 'Created', 201)
  @ApiInvalid()
  async create(@Ctx() ctx: RequestContext, @Body() dto: CreateOrganizationDto): Promise<{ data: MyOrganizationDto; message: string }> {
    const view = await this.mine.create(ctx, dto);
    return { data: MyOrganizationDto.fromView(view, ctx.organizationId), message: 'Organization created' };
  }

  @Get('me')
  @AllowRestricted()
  @Permissions('organization.view')
  @ApiOperation({ summary: 'The organization this request acts for' })
  @ApiData(OrganizationDto)
  async get(@Ctx() ctx: RequestContext): Promise<{ data: OrganizationDto }> {
    return { data: OrganizationDto.from(await this.profiles.get(ctx)) };
  }

  @Put('me')
  @Permissions('organization.edit')
  @ApiOperation({ summary: 'Change the name, email or phone' })
  @ApiData(OrganizationDto)
  @ApiInvalid()
  async update(@Ctx() ctx: RequestContext, @Body() dto: UpdateOrganizationDto): Promise<{ data: OrganizationDto; message: string }> {
    return { data: OrganizationDto.from(await this.profiles.update(ctx, dto)), message: 'Organization updated' };
  }

  @Put('me/settings')
  @Permissions('organization.edit')
  @ApiOperation({ summary: 'Change settings; keys left out keep their value, unknown keys are refused' })
  @ApiData(OrganizationDto)
  @ApiInvalid()
  async updateSettings(@Ctx() ctx: RequestContext, @Body() dto: UpdateSettingsDto): Promise<{ data: OrganizationDto; message: string }> {
    return { data: OrganizationDto.from(await this.profiles.updateSettings(ctx, dto.settings)), message: 'Settings updated' };
  }

  @Get('me/stats')
  @Permissions('organization.view')
  @ApiOperation({ summary: 'Members, roles, invitations, storage and the figures later features add' })
  @ApiData(OrganizationStatsDto)
  async stats(@Ctx() ctx: RequestContext): Promise<{ data: OrganizationStats }> {
    return { data: await this.statistics.stats(ctx) };
  }

  @Put('me/slug')
  @Permissions('organization.edit')
  @RequiresFeature('custom_slug')
  @ApiOperation({ summary: 'Set a unique custom slug (Basic, Platinum and Diamond packages, or the add-on)' })
  @ApiData(OrganizationDto)
  @ApiInvalid()
  @ApiConflictResponse({ type: ErrorBody, description: 'The slug is taken (`slug_taken`)' })
  async setSlug(@Ctx() ctx: RequestContext, @Body() dto: UpdateSlugDto): Promise<{ data: OrganizationDto; message: string }> {
    return { data: OrganizationDto.from(await this.profiles.setSlug(ctx, dto.slug)), message: 'Slug updated' };
  }
}
