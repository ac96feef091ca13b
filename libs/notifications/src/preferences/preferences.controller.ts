import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, Authenticated, Ctx, ErrorBody, Permissions, type RequestContext } from '@atrium/platform';
import { OrganizationDefaultsDto, PreferencesDto, UpdateOrganizationDefaultsDto, UpdatePreferencesDto } from './dto/preferences.dto.js';
import { OrganizationDefaultsService } from './organization-defaults.service.js';
import { PreferenceService } from './preference.service.js';

const REFUSED =
  'Every problem in one answer (`details`), nothing changed: a malformed field or unknown channel `validation_failed`, ' +
  'else an unknown type `unknown_notification_types`, else a security type turned off `notification_required`';

/**
 * Notification settings: yours in the current organization, and the organization's defaults for members who have not
 * chosen. (Listed before NotificationsController, whose `GET /notifications/:id` would otherwise take these paths.)
 */
@ApiTags('notifications')
@Controller('notifications')
@Authenticated()
export class PreferencesController {
  constructor(
    private readonly preferences: PreferenceService,
    private readonly defaults: OrganizationDefaultsService,
  ) {}

  @Get('preferences')
  @ApiOperation({
    summary: 'Your notification settings in this organization as they apply: switches, every type, quiet hours, and where they come from',
  })
  @ApiData(PreferencesDto)
  async get(@Ctx() ctx: RequestContext): Promise<{ data: PreferencesDto }> {
    return { data: await this.preferences.view(ctx) };
  }

  @Put('preferences')
  @ApiOperation({
    summary: 'Replace your notification settings in this organization (audited)',
    description:
      'Master switches, per type and channel (a type or channel left out follows the type), and quiet hours: mail ' +
      'that would go out inside them is held until they end; in-app notifications are not. Security types cannot be turned off.',
  })
  @ApiBody({ type: UpdatePreferencesDto })
  @ApiData(PreferencesDto)
  @ApiBadRequestResponse({ type: ErrorBody, description: REFUSED })
  async put(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<{ data: PreferencesDto; message: string }> {
    return { data: await this.preferences.replace(ctx, body), message: 'Notification preferences saved' };
  }

  @Get('organization-defaults')
  @Permissions('organization.view')
  @ApiOperation({ summary: "The organization's notification defaults for members who have not saved their own" })
  @ApiData(OrganizationDefaultsDto)
  async getDefaults(@Ctx() ctx: RequestContext): Promise<{ data: OrganizationDefaultsDto }> {
    return { data: await this.defaults.view(ctx) };
  }

  @Put('organization-defaults')
  @Permissions('organization.edit')
  @ApiOperation({
    summary: 'Replace the notification defaults of members who have not saved their own (audited)',
    description: 'Same body and rules as PUT /notifications/preferences, without quiet hours (each member sets their own).',
  })
  @ApiBody({ type: UpdateOrganizationDefaultsDto })
  @ApiData(OrganizationDefaultsDto)
  @ApiBadRequestResponse({ type: ErrorBody, description: REFUSED })
  async putDefaults(@Ctx() ctx: RequestContext, @Body() body: unknown): Promise<{ data: OrganizationDefaultsDto; message: string }> {
    return { data: await this.defaults.replace(ctx, body), message: 'Notification defaults saved' };
  }
}
