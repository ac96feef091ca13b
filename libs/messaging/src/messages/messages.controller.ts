import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiInvalid, ApiPage, Authenticated, Ctx, ErrorBody, type Page, Permissions, type RequestContext } from '@atrium/platform';
import { EditMessageDto, MessageDto, MessageQueryDto, ReadDto, ReadStateDto, SendMessageDto } from './dto/message.dto.js';
import { MessageService } from './message.service.js';
import { ReadStateService } from './read-state.service.js';

const NOT_FOUND = 'No such chat in this organization, or the caller is not in it (`chat_not_found`)';

@ApiTags('chats')
@Controller('chats/:id')
@Authenticated()
export class MessagesController {
  constructor(
    private readonly messages: MessageService,
    private readonly reads: ReadStateService,
  ) {}

  @Post('messages')
  @Permissions('chats.use')
  @ApiOperation({
    summary:
      'Send a TEXT message (≤ 10,000 characters; `@<user id>` mentions members). A repeated client_message_id returns the first message. Pushes message:new',
  })
  @ApiData(MessageDto, 'Stored', 201)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async send(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() dto: SendMessageDto): Promise<{ data: MessageDto }> {
    return { data: await this.messages.send(ctx, id, dto) };
  }

  @Get('messages')
  @Permissions('chats.use')
  @ApiOperation({
    summary: 'Messages newest first; ?before=<seq> for older ones, ?after=<seq> oldest first to catch up, ?search= full text',
  })
  @ApiPage(MessageDto)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  list(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: MessageQueryDto): Promise<Page<MessageDto>> {
    return this.messages.list(ctx, id, query);
  }

  @Put('messages/:messageId')
  @Permissions('chats.use')
  @ApiOperation({ summary: 'Edit your own message within MESSAGE_EDIT_WINDOW_SECONDS (default 900); pushes message:updated' })
  @ApiData(MessageDto)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: `${NOT_FOUND}; no such message in it (\`message_not_found\`)` })
  @ApiConflictResponse({ type: ErrorBody, description: 'The message was deleted (`message_deleted`)' })
  async edit(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Param('messageId') messageId: string,
    @Body() dto: EditMessageDto,
  ): Promise<{ data: MessageDto }> {
    return { data: await this.messages.edit(ctx, id, messageId, dto.content) };
  }

  @Delete('messages/:messageId')
  @HttpCode(204)
  @Permissions('chats.use')
  @ApiOperation({
    summary: 'Delete a message (author, chat admin, or chats.manage): content removed, tombstone kept; pushes message:deleted',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBody, description: `${NOT_FOUND}; no such message in it (\`message_not_found\`)` })
  @ApiConflictResponse({ type: ErrorBody, description: 'Already deleted (`message_deleted`)' })
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string, @Param('messageId') messageId: string): Promise<void> {
    await this.messages.delete(ctx, id, messageId);
  }

  @Post('read')
  @HttpCode(200)
  @Permissions('chats.use')
  @ApiOperation({ summary: 'Move your read marker forward to seq (never back; ≤ the last seq); pushes chat:read to the chat' })
  @ApiData(ReadStateDto)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async read(@Ctx() ctx: RequestContext, @Param('id') id: string, @Body() dto: ReadDto): Promise<{ data: ReadStateDto }> {
    return { data: await this.reads.markRead(ctx, id, dto.seq) };
  }
}
