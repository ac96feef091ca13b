import { Controller, Get, Param, StreamableFile } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Authenticated, Ctx, ErrorBody, Permissions, type RequestContext } from '@atrium/platform';
import { InvoiceService } from './invoice.service.js';

@ApiTags('payments')
@Authenticated()
@Controller('payments')
export class InvoicesController {
  constructor(private readonly invoices: InvoiceService) {}

  @Get(':id/invoice')
  @Permissions('billing.view')
  @ApiOperation({ summary: 'The invoice of a succeeded payment, as a PDF download' })
  @ApiProduces('application/pdf')
  @ApiOkResponse({
    description: 'The invoice (PDF)',
    content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
    headers: { 'Content-Disposition': { description: 'attachment; filename="INV-2026-000042.pdf"', schema: { type: 'string' } } },
  })
  @ApiNotFoundResponse({ type: ErrorBody, description: 'No invoice: the payment has not succeeded, or is not yours (`invoice_not_found`)' })
  async download(@Ctx() ctx: RequestContext, @Param('id') paymentId: string): Promise<StreamableFile> {
    const invoice = await this.invoices.forPayment(ctx, paymentId);
    const pdf = await this.invoices.render(invoice);
    return new StreamableFile(pdf, {
      type: 'application/pdf',
      disposition: `attachment; filename="${invoice.number}.pdf"`,
      length: pdf.length,
    });
  }
}
