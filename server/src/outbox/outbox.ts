import { sql } from 'kysely';
import type { Db, Executor } from '../store/db.js';
import { fromJson, json } from '../store/db.js';

export interface Job {
  kind: string;
  payload: unknown;
  /** At most one job per key is ever enqueued (e.g. `erp_post:pay_123`). */
  dedupeKey?: string;
  runAt?: Date;
}

/** Records a job in the same transaction as the change that needs it: both land, or neither. */
export async function enqueue(ex: Executor, job: Job): Promise<void> {
  await ex
    .insertInto('outbox')
    .values({
      kind: job.kind,
      payload: json(job.payload),
      dedupe_key: job.dedupeKey ?? null,
      run_at: job.runAt ?? new Date(),
      last_error: null,
      locked_by: null,
      locked_until: null,
      done_at: null,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
}

/** Jobs claimed per poll, and how many of them run at once. */
const BATCH = 20;
const CONCURRENCY = 4;
const DEFAULT_MAX_ATTEMPTS = 200;

export type JobHandler = (payload: unknown, job: { id: number; attempts: number }) => Promise<void>;

export interface OutboxOptions {
  pollMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  leaseMs: number;
  /**
   * After this many failed attempts a job is parked (status `parked`, its last_error kept) instead
   * of retried forever; `onParked` is told. Default 200 (about 16 hours at a 5-minute max delay).
   */
  maxAttempts?: number;
  onParked?: (job: {
    id: number;
    kind: string;
    payload: unknown;
    attempts: number;
    lastError: string;
  }) => Promise<void>;
  /** Names this instance in locks, for debugging two instances on one database. */
  workerId: string;
  log?: Pick<Console, 'warn' | 'error'>;
}

/**
 * Runs due jobs with retries and exponential back-off. Jobs are claimed with a lease under
 * FOR UPDATE SKIP LOCKED, so many instances share one outbox and a crashed instance's jobs
 * are picked up again when its lease runs out. Handlers must be idempotent.
 */
export class OutboxWorker {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;
  #stopped = true;

  constructor(
    private readonly db: Db,
    private readonly handlers: Record<string, JobHandler>,
    private readonly options: OutboxOptions,
  ) {}

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const tick = async () => {
      if (this.#stopped) return;
      const running = this.runDue().catch((err) => {
        this.options.log?.error('outbox poll failed', err);
        return 0;
      });
      this.#running = running;
      // A full batch means more is due: go on at once instead of waiting for the next poll.
      const ran = await running;
      if (!this.#stopped) this.#timer = setTimeout(tick, ran >= BATCH ? 0 : this.options.pollMs);
    };
    this.#timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  /** Claims and runs every job due now; returns how many ran. */
  async runDue(limit = BATCH): Promise<number> {
    const leaseUntil = new Date(Date.now() + this.options.leaseMs);
    const claimed = await sql<{ id: number; kind: string; payload: unknown; attempts: number }>`
      update outbox set locked_by = ${this.options.workerId}, locked_until = ${leaseUntil}
      where id in (
        select id from outbox
        where status = 'pending' and run_at <= now() and (locked_until is null or locked_until < now())
        order by run_at, id
        limit ${limit}
        for update skip locked
      )
      returning id, kind, payload, attempts`.execute(this.db);
    // A few jobs at a time: postings of different customers don't wait for each other, and
    // the per-customer lock in the handlers keeps one customer's postings in order.
    const queue = [...claimed.rows];
    const lane = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await this.#run(job);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, lane));
    return claimed.rows.length;
  }

  async #run(job: { id: number; kind: string; payload: unknown; attempts: number }): Promise<void> {
    // The batch's lease may have run out while this job waited its turn: renew it per job, and
    // leave the job alone if another worker has taken it over meanwhile.
    const renewed = await this.db
      .updateTable('outbox')
      .set({ locked_until: new Date(Date.now() + this.options.leaseMs) })
      .where('id', '=', job.id)
      .where('locked_by', '=', this.options.workerId)
      .where('status', '=', 'pending')
      .returning('id')
      .executeTakeFirst();
    if (!renewed) return;
    const handler = this.handlers[job.kind];
    try {
      if (!handler) throw new Error(`No handler for outbox job kind "${job.kind}"`);
      await handler(fromJson(job.payload), { id: job.id, attempts: job.attempts });
      await this.db
        .updateTable('outbox')
        .set({ status: 'done', done_at: new Date(), locked_by: null, locked_until: null })
        .where('id', '=', job.id)
        .where('locked_by', '=', this.options.workerId)
        .execute();
    } catch (err) {
      const attempts = job.attempts + 1;
      const delay = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** Math.min(attempts - 1, 20));
      const jitter = Math.floor(delay * 0.1 * Math.random());
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      const lastError = message.slice(0, 1000);
      if (attempts >= (this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
        this.options.log?.error(
          `outbox job ${job.id} (${job.kind}) parked after ${attempts} attempts; needs a person: ${message}`,
        );
        const parked = await this.db
          .updateTable('outbox')
          .set({ status: 'parked', attempts, last_error: lastError, locked_by: null, locked_until: null })
          .where('id', '=', job.id)
          .where('locked_by', '=', this.options.workerId)
          .returning('id')
          .executeTakeFirst();
        if (parked && this.options.onParked) {
          try {
            await this.options.onParked({
              id: job.id,
              kind: job.kind,
              payload: fromJson(job.payload),
              attempts,
              lastError,
            });
          } catch (err) {
            this.options.log?.error(`recording parked outbox job ${job.id} failed`, err);
          }
        }
        return;
      }
      this.options.log?.warn(`outbox job ${job.id} (${job.kind}) failed, attempt ${attempts}: ${message}`);
      await this.db
        .updateTable('outbox')
        .set({
          attempts,
          last_error: lastError,
          run_at: new Date(Date.now() + delay + jitter),
          locked_by: null,
          locked_until: null,
        })
        .where('id', '=', job.id)
        // A worker whose lease ran out must not clear the lock of the worker that took the job over.
        .where('locked_by', '=', this.options.workerId)
        .execute();
    }
  }
}
