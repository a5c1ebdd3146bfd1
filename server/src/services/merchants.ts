import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type MerchantRules, MerchantRulesSchema } from '@settle/schema';
import type { Config } from '../config.js';
import { hashSecret, newSecret } from '../keys.js';
import type { Db } from '../store/db.js';
import { fromJson, json } from '../store/db.js';

export const DEFAULT_MERCHANT_ID = 'mer_default';

export interface Merchant {
  id: string;
  name: string;
  mode: 'test' | 'live';
  rules: MerchantRules;
  returnUrl: string | null;
}

/**
 * Makes sure the configured merchant exists with the configured key and rules. In test mode
 * without SETTLE_SECRET_KEY, a demo key is generated once and kept in the data folder.
 * Returns the plain key only when it was read or generated here (to print it for the demo).
 */
export async function ensureMerchant(
  db: Db,
  config: Config,
): Promise<{ merchant: Merchant; secretKey: string; generated: boolean }> {
  let secretKey = config.secretKey;
  const generated = !secretKey;
  if (!secretKey) {
    if (config.mode === 'live') throw new Error('SETTLE_SECRET_KEY is required in live mode');
    secretKey = await demoKey(config.dataDir);
  }
  const expected = `sk_${config.mode}_`;
  if (!secretKey.startsWith(expected))
    throw new Error(`SETTLE_SECRET_KEY must start with "${expected}" in ${config.mode} mode`);
  const row = {
    id: DEFAULT_MERCHANT_ID,
    name: config.merchantName,
    mode: config.mode,
    secret_key_hash: hashSecret(secretKey),
    rules: json(MerchantRulesSchema.parse(config.rules)),
    return_url: config.returnUrl,
  };
  await db
    .insertInto('merchants')
    .values(row)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        name: row.name,
        mode: row.mode,
        secret_key_hash: row.secret_key_hash,
        rules: row.rules,
        return_url: row.return_url,
      }),
    )
    .execute();
  return {
    merchant: { id: row.id, name: row.name, mode: config.mode, rules: config.rules, returnUrl: config.returnUrl },
    secretKey,
    generated,
  };
}

async function demoKey(dataDir: string): Promise<string> {
  const file = join(dataDir, 'demo-secret-key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const key = newSecret('sk', 'test');
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `${key}\n`, { mode: 0o600 });
    return key;
  }
}

export async function merchantBySecret(db: Db, secret: string): Promise<Merchant | null> {
  const row = await db
    .selectFrom('merchants')
    .selectAll()
    .where('secret_key_hash', '=', hashSecret(secret))
    .executeTakeFirst();
  return row ? toMerchant(row) : null;
}

export function toMerchant(row: {
  id: string;
  name: string;
  mode: string;
  rules: unknown;
  return_url: string | null;
}): Merchant {
  return {
    id: row.id,
    name: row.name,
    mode: row.mode === 'live' ? 'live' : 'test',
    rules: fromJson<MerchantRules>(row.rules),
    returnUrl: row.return_url,
  };
}
