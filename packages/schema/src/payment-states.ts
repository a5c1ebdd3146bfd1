import type { PaymentStatus } from './payment.js';

/** Whether a status still reserves the invoices it allocates. Zod-free, so the widget can import it alone. */
export const IN_FLIGHT_STATUSES: readonly PaymentStatus[] = ['requires_confirmation', 'requires_action', 'processing'];
