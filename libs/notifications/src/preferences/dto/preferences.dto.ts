import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import type { NotificationType } from '@atrium/platform';
import { type ChannelSettings, type QuietHours, typeChannels } from '../channel-choice.js';
import type { SettingsSource } from '../preference-store.js';

export class ChannelsDto {
  @ApiProperty({ description: 'Mailed' }) email: boolean;
  @ApiProperty({ description: 'Stored in the list and pushed as `notification:new`' }) in_app: boolean;
}

export class QuietHoursDto {
  @ApiProperty({ example: '22:00', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'Local time the quiet starts' }) start: string;
  @ApiProperty({ example: '07:00', description: 'Local time it ends (before `start`: the next day); must differ from `start`' })
  end: string;
  @ApiProperty({ example: 'Europe/Berlin', description: 'IANA time zone the times are in' }) timezone: string;
}

export class NotificationTypeDto {
  @ApiProperty({ example: 'chat.mentioned' }) key: string;
  @ApiProperty({ example: 'Someone mentions you in a chat' }) description: string;
  @ApiProperty({ description: 'A security notification: always sent on its default channels, whatever the switches say' })
  required: boolean;
  @ApiProperty({ type: ChannelsDto, description: 'Channels on for a member nobody chose for' }) defaults: ChannelsDto;
}

const typesMap = (description: string) =>
  ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(ChannelsDto) },
    example: { 'chat.mentioned': { email: true, in_app: true } },
    description,
  });

/** The settings in force for the caller in the current organization, and every type a client draws on the screen. */
@ApiExtraModels(ChannelsDto)
export class PreferencesDto {
  @ApiProperty({ description: 'Master switch: off, no notification type is mailed (security notifications still are)' })
  email_enabled: boolean;
  @ApiProperty({ description: 'Master switch: off, nothing new appears in the list or on sockets (security notifications still do)' })
  in_app_enabled: boolean;
  @typesMap('Every registered type with its channels (a master switch that is off overrides them; security types: always their defaults)')
  preferences: Record<string, ChannelsDto>;
  @ApiProperty({ type: QuietHoursDto, nullable: true, description: 'Mail inside them is held until they end; in-app is not' })
  quiet_hours: QuietHoursDto | null;
  @ApiProperty({
    enum: ['user', 'organization', 'defaults'],
    description: "Where these come from: your own choice, your organization's defaults, or each type's defaults",
  })
  source: SettingsSource;
  @ApiProperty({ type: [NotificationTypeDto] }) types: NotificationTypeDto[];
}

/** What an organization gives members who have not chosen their own. */
@ApiExtraModels(ChannelsDto)
export class OrganizationDefaultsDto {
  @ApiProperty() email_enabled: boolean;
  @ApiProperty() in_app_enabled: boolean;
  @typesMap('Every registered type with the channels members without their own choice get')
  preferences: Record<string, ChannelsDto>;
  @ApiProperty({ enum: ['organization', 'defaults'], description: "`defaults`: the organization has set none, each type's own apply" })
  source: Exclude<SettingsSource, 'user'>;
  @ApiProperty({ type: [NotificationTypeDto] }) types: NotificationTypeDto[];
}

/** `PUT /notifications/organization-defaults` (documentation: the body is read by `readChannelSettings`). */
@ApiExtraModels(ChannelsDto)
export class UpdateOrganizationDefaultsDto {
  @ApiProperty() email_enabled: boolean;
  @ApiProperty() in_app_enabled: boolean;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'object', properties: { email: { type: 'boolean' }, in_app: { type: 'boolean' } } },
    example: { 'chat.mentioned': { email: false } },
    description:
      'Per type, the channels to set (a channel left out follows the type). Unknown types: 400 `unknown_notification_types`; ' +
      'turning off a security type: 400 `notification_required`',
  })
  preferences?: Record<string, Partial<ChannelsDto>>;
}

/** `PUT /notifications/preferences`: replaces your choice in this organization. */
export class UpdatePreferencesDto extends UpdateOrganizationDefaultsDto {
  @ApiPropertyOptional({ type: QuietHoursDto, nullable: true, description: 'Left out or null: none' })
  quiet_hours?: QuietHoursDto | null;
}

/** What `POST /notifications/unsubscribe` answers. */
export class UnsubscribedDto {
  @ApiProperty({ example: 'You will no longer get "Someone mentions you in a chat" emails from Acme.' }) message: string;
}

const typeDto = (t: NotificationType): NotificationTypeDto => ({
  key: t.key,
  description: t.description,
  required: !!t.required,
  defaults: { email: t.defaults.email, in_app: t.defaults.in_app },
});

/** Every type's channels under these settings (a master switch aside), and the types themselves. */
export function channelsView(
  types: NotificationType[],
  settings: ChannelSettings | undefined,
): Pick<PreferencesDto, 'email_enabled' | 'in_app_enabled' | 'preferences' | 'types'> {
  return {
    email_enabled: settings?.email_enabled ?? true,
    in_app_enabled: settings?.in_app_enabled ?? true,
    preferences: Object.fromEntries(types.map((t) => [t.key, typeChannels(t, settings)])),
    types: types.map(typeDto),
  };
}

export const quietHoursView = (q: QuietHours | null | undefined): QuietHoursDto | null => (q ? { ...q } : null);
