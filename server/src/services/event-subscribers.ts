import { mailSubscriber } from '../mail/mail-jobs.js';
import type { EventSubscriber } from './events.js';
import { webhookSubscriber } from './webhooks.js';

/**
 * Everyone told about a payment event (services/events.ts), in this order, inside the fan-out
 * job's one transaction. Add a subscriber here; it must only enqueue outbox jobs with dedupe keys.
 */
export const subscribers: EventSubscriber[] = [webhookSubscriber, mailSubscriber];
