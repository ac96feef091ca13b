import { Body, Controller, Get, HttpCode, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowRestricted, ApiData, ApiInvalid, Authenticated, Ctx, type RequestContext } from '@atrium/platform';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { UpdateMeDto } from './dto/update-me.dto.js';
import { UserDto } from './dto/user.dto.js';
import { MeService } from './me.service.js';

@ApiTags('users')
@Authenticated()
@AllowRestricted()
@Controller('users/me')
export class MeController {
  constructor(private readonly me: MeService) {}

  @Get()
  @ApiOperation({
    summary: 'The signed-in user',
    description:
      'With `x-api-key`, the account the key acts for: its creator, whose current role caps the key. ' +
      'Changing the profile or password needs a signed-in user (`403 user_session_required` with a key).',
  })
  @ApiData(UserDto)
  async get(@Ctx() ctx: RequestContext): Promise<{ data: UserDto }> {
    return { data: UserDto.from(await this.me.get(ctx)) };
  }

  @Put()
  @ApiOperation({ summary: 'Update your profile' })
  @ApiData(UserDto)
  @ApiInvalid()
  async update(@Ctx() ctx: RequestContext, @Body() dto: UpdateMeDto): Promise<{ data: UserDto; message: string }> {
    return { data: UserDto.from(await this.me.update(ctx, dto)), message: 'Profile updated' };
  }

  @Put('change-password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change your password (needs the current one); ends your other sessions' })
  @ApiNoContentResponse()
  @ApiInvalid()
  async changePassword(@Ctx() ctx: RequestContext, @Body() dto: ChangePasswordDto): Promise<void> {
    await this.me.changePassword(ctx, dto);
  }
}
