import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, ApiInvalid, Authenticated, Ctx, Permissions, type RequestContext } from '@atrium/platform';
import { AuditVerifier, type Verification } from './audit-verifier.js';
import { VerificationDto, VerifyQueryDto } from './dto/verification.dto.js';

@ApiTags('audit-logs')
@Authenticated()
@Controller('audit-logs')
export class AuditVerifyController {
  constructor(private readonly verifier: AuditVerifier) {}

  @Get('verify')
  @Permissions('audit.view')
  @ApiOperation({
    summary: "Recompute this organization's audit seal chain: `ok`, or the first entry or seal that does not match",
    description:
      'Checks each seal covering entries in [from, to] against its keyed MAC, its link to the previous seal (or retention ' +
      'checkpoint), and its entries recomputed now. Entries are sealed by a job every few seconds; newer ones count as ' +
      '`unsealed_entries`. Removing the newest seals together with their entries is caught only against a `head` recorded earlier.',
  })
  @ApiData(VerificationDto)
  @ApiInvalid()
  async verify(@Ctx() ctx: RequestContext, @Query() query: VerifyQueryDto): Promise<{ data: Verification }> {
    const range = { from: query.from ? new Date(query.from) : undefined, to: query.to ? new Date(query.to) : undefined };
    return { data: await this.verifier.verify(ctx, range) };
  }
}
