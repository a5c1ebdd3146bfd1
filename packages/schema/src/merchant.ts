import * as z from 'zod/mini';
import { ErpStatusSchema, PaymentStatusSchema } from './payment.js';
import { CreditMemoSchema, CustomerSchema, IdSchema, InvoiceSchema } from './session.js';

export const CustomerListSchema = z.object({ data: z.array(CustomerSchema) });
export type CustomerList = z.infer<typeof CustomerListSchema>;

/** A customer's open items as the ERP reports them now, with what in-flight payments reserve. */
export const OpenItemsSchema = z.object({
  customerId: IdSchema,
  invoices: z.array(InvoiceSchema),
  credits: z.array(CreditMemoSchema),
});
export type OpenItems = z.infer<typeof OpenItemsSchema>;

export const ListPaymentsQuerySchema = z.strictObject({
  customerId: z.optional(IdSchema),
  status: z.optional(PaymentStatusSchema),
  erpStatus: z.optional(ErpStatusSchema),
  limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100))),
  cursor: z.optional(z.string().check(z.maxLength(200))),
});
export type ListPaymentsQuery = z.infer<typeof ListPaymentsQuerySchema>;
