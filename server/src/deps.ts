import type { Config } from './config.js';
import type { ErpAdapter } from './erp/port.js';
import type { MailRuntime } from './mail/runtime.js';
import type { PaymentProcessor } from './processors/port.js';
import type { SandboxProcessor } from './processors/sandbox.js';
import type { Db } from './store/db.js';

export type Logger = Pick<Console, 'info' | 'warn' | 'error'>;

/** What the routes and services share: no module-level state, so tests can run many servers. */
export interface Deps {
  db: Db;
  erp: ErpAdapter;
  processor: PaymentProcessor;
  /** The sandbox's tokenizer, when the sandbox is the processor. */
  sandbox: SandboxProcessor | null;
  config: Config;
  log: Logger;
  /** How confirmation emails leave (null: mail is off); docs/emails.md. */
  mail: MailRuntime | null;
}
