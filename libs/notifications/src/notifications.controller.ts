import { Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiInvalid, ApiPage, Authenticated, Ctx, ErrorBody, type Page, type RequestContext } from '@atrium/platform';
import { NotificationDto, NotificationQueryDto, UnreadCountDto } from './dto/notification.dto.js';
import { NotificationReader } from './notification-reader.js';
import { NotificationService } from './notification.service.js';

const NOT_FOUND = 'No such notification of yours in this organization (`notification_not_found`)';

class MarkedAllDto {
  @ApiProperty({ example: 12, description: 'How many were unread' }) marked: number;
}

/**
 * The caller's notifications in the current organization. Reading and deleting push `notification:read` /
 * `notification:deleted` with the new unread count to the user's sockets for this organization.
 */
@ApiTags('notifications')
@Controller('notifications')
@Authenticated()
export class NotificationsController {
  constructor(
    private readonly reader: NotificationReader,
    private readonly notifications: NotificationService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your notifications in this organization, newest first (`unread_only=true`: only unread)' })
  @ApiPage(NotificationDto)
  @ApiInvalid()
  list(@Ctx() ctx: RequestContext, @Query() query: NotificationQueryDto): Promise<Page<NotificationDto>> {
    return this.reader.list(ctx, query);
  }

  @Get('unread-count')
  @ApiOperation({ summary: 'How many of your notifications in this organization are unread (the badge)' })
  @ApiData(UnreadCountDto)
  async unreadCount(@Ctx() ctx: RequestContext): Promise<{ data: UnreadCountDto }> {
    return { data: await this.reader.unreadCount(ctx) };
  }

  @Put('read-all')
  @ApiOperation({ summary: 'Mark all your notifications in this organization read; pushes `notification:read {all: true, unread_count}`' })
  @ApiData(MarkedAllDto)
  async readAll(@Ctx() ctx: RequestContext): Promise<{ data: MarkedAllDto; message: string }> {
    const marked = await this.notifications.markAllRead(ctx);
    return { data: { marked }, message: 'All notifications read' };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of your notifications' })
  @ApiData(NotificationDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: NotificationDto }> {
    return { data: await this.reader.get(ctx, id) };
  }

  @Put(':id/read')
  @ApiOperation({ summary: 'Mark one read (again: no change); pushes `notification:read {ids, unread_count}`' })
  @ApiData(NotificationDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async read(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: NotificationDto }> {
    await this.notifications.markRead(ctx, id);
    return { data: await this.reader.get(ctx, id) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete one; pushes `notification:deleted {id, unread_count}`' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async remove(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.notifications.remove(ctx, id);
  }
}
