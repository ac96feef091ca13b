import { Module } from '@nestjs/common';
import { AuditModule } from '@atrium/audit';
import { BillingDetailsController } from './billing-details.controller.js';
import { BillingDetailsService } from './billing-details.service.js';
import { InvoicePdf } from './invoice-pdf.js';
import { InvoiceService } from './invoice.service.js';
import { InvoicesController } from './invoices.controller.js';

/** Billing details, the invoice of every succeeded payment (numbered without gaps) and its PDF. */
@Module({
  imports: [AuditModule],
  controllers: [BillingDetailsController, InvoicesController],
  providers: [BillingDetailsService, InvoiceService, InvoicePdf],
  exports: [InvoiceService, BillingDetailsService],
})
export class InvoicesModule {}
