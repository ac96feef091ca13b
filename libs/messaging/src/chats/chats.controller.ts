import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
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
} from '@atrium/platform';
import { ChatMembershipService } from './chat-membership.service.js';
import { ChatReader } from './chat-reader.js';
import { ChatService } from './chat.service.js';
import { AddChatMembersDto, ChatDto, CreateChatDto, UpdateChatDto } from './dto/chat.dto.js';

const NOT_FOUND = 'No such chat in this organization, or the caller is not in it (`chat_not_found`)';
const DIRECT_FIXED = 'A direct chat keeps its two members (`direct_chat_members_fixed`)';

@ApiTags('chats')
@Controller('chats')
@Authenticated()
export class ChatsController {
  constructor(
    private readonly chats: ChatService,
    private readonly membership: ChatMembershipService,
    private readonly reader: ChatReader,
  ) {}

  @Post()
  @Permissions('chats.use')
  @ApiOperation({
    summary:
      'Create a direct chat (member_ids: the other member; the pair always gets its one chat back, 200) or a group (name, description, member_ids; you are its admin)',
  })
  @ApiData(ChatDto, 'Created (201), or the pair’s existing direct chat (200)', 201)
  @ApiInvalid()
  @ApiConflictResponse({ type: ErrorBody, description: 'A name or description for a direct chat (`direct_chat_not_editable`)' })
  async create(
    @Ctx() ctx: RequestContext,
    @Body() dto: CreateChatDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ data: ChatDto; message: string }> {
    const made = await this.chats.create(ctx, dto);
    if (!made.created) res.status(200);
    return { data: await this.reader.get(ctx, made.id), message: made.created ? 'Chat created' : 'Existing direct chat' };
  }

  @Get()
  @Permissions('chats.use')
  @ApiOperation({ summary: 'Your chats, most recently active first, each with its last message, your unread count and its members' })
  @ApiPage(ChatDto)
  @ApiInvalid()
  list(@Ctx() ctx: RequestContext, @Query() query: PageQueryDto): Promise<Page<ChatDto>> {
    return this.reader.list(ctx, query);
  }

  @Get(':id')
  @Permissions('chats.use')
  @ApiOperation({ summary: 'One of your chats' })
  @ApiData(ChatDto)
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<{ data: ChatDto }> {
    return { data: await this.reader.get(ctx, id) };
  }

  @Put(':id')
  @Permissions('chats.use')
  @ApiOperation({ summary: "Rename a group or change its description (the group's admins); pushes chat:updated" })
  @ApiData(ChatDto)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  @ApiConflictResponse({ type: ErrorBody, description: 'A direct chat has no name (`direct_chat_not_editable`)' })
  async update(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() dto: UpdateChatDto,
  ): Promise<{ data: ChatDto; message: string }> {
    await this.chats.update(ctx, id, dto);
    return { data: await this.reader.get(ctx, id), message: 'Chat updated' };
  }

  @Delete(':id')
  @HttpCode(204)
  @Permissions('chats.use')
  @ApiOperation({
    summary: "Delete a chat and its messages: a group's admins, or a moderator (chats.manage) for any chat of the organization",
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  async delete(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.chats.delete(ctx, id);
  }

  @Post(':id/members')
  @HttpCode(200)
  @Permissions('chats.use')
  @ApiOperation({ summary: "Add active members of the organization to a group (the group's admins); pushes chat:member_added" })
  @ApiData(ChatDto)
  @ApiInvalid()
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  @ApiConflictResponse({ type: ErrorBody, description: `Already members (\`already_chat_members\`, naming them); ${DIRECT_FIXED}` })
  async addMembers(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() dto: AddChatMembersDto,
  ): Promise<{ data: ChatDto; message: string }> {
    await this.membership.add(ctx, id, dto.member_ids);
    return { data: await this.reader.get(ctx, id), message: 'Members added' };
  }

  @Delete(':id/members/:memberId')
  @HttpCode(204)
  @Permissions('chats.use')
  @ApiOperation({
    summary: "Remove a member from a group (the group's admins); pushes chat:member_removed and their sockets leave the chat",
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBody, description: `${NOT_FOUND}; not a member of it (\`chat_member_not_found\`)` })
  @ApiConflictResponse({ type: ErrorBody, description: DIRECT_FIXED })
  async removeMember(@Ctx() ctx: RequestContext, @Param('id') id: string, @Param('memberId') memberId: string): Promise<void> {
    await this.membership.remove(ctx, id, memberId);
  }

  @Post(':id/leave')
  @HttpCode(204)
  @Permissions('chats.use')
  @ApiOperation({ summary: 'Leave a group: the last admin hands admin to the oldest member; the last member leaving deletes the chat' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBody, description: NOT_FOUND })
  @ApiConflictResponse({ type: ErrorBody, description: DIRECT_FIXED })
  async leave(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.membership.leave(ctx, id);
  }
}
