import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingKey, signToken, verifyToken } from '../src/services/signing.js';
import { type Db, openStore } from '../src/store/db.js';
import { freshPostgresDatabase, STORES } from './harness.js';

describe.each(STORES)('signed link tokens (%s)', (store) => {
  let db: Db;
  let other: Db | null = null;
  beforeAll(async () => {
    const databaseUrl = store === 'postgres' ? await freshPostgresDatabase() : null;
    db = await openStore({ databaseUrl, dataDir: null });
    // Another instance on the same PostgreSQL database must verify what this one signs.
    if (databaseUrl) other = await openStore({ databaseUrl, dataDir: null });
    await db
      .insertInto('merchants')
      .values(['mer_a', 'mer_b'].map((id) => ({ id, name: id, mode: 'test', secret_key_hash: `h_${id}`, rules: '{}' })))
      .execute();
  });
  afterAll(async () => {
    await other?.destroy();
    await db.destroy();
  });
  const inAnHour = () => new Date(Date.now() + 3_600_000);

  it('gives back the claims of an intact token, with its merchant and expiry', async () => {
    const expiresAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 60_000);
    const token = await signToken(db, 'mer_a', 'pay_link', { c: 'cus_1', i: ['inv_1', 'inv_2'] }, expiresAt);
    expect(await verifyToken(db, token, 'pay_link')).toEqual({
      ok: true,
      merchantId: 'mer_a',
      expiresAt,
      claims: { c: 'cus_1', i: ['inv_1', 'inv_2'] },
    });
    if (other) expect((await verifyToken(other, token, 'pay_link')).ok).toBe(true);
  });

  it('refuses a token with any character changed as tampered, and says expired only of an intact one', async () => {
    const token = await signToken(db, 'mer_a', 'pay_link', { c: 'cus_1' }, inAnHour());
    const dot = token.indexOf('.');
    for (const at of [0, dot - 1, dot + 1, token.length - 1]) {
      const changed = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
      expect((await verifyToken(db, changed, 'pay_link')).ok, `position ${at}`).toBe(false);
    }
    // Claims rewritten to another customer but signed with nothing: the signature no longer matches.
    const forged = Buffer.from(JSON.stringify({ c: 'cus_2', m: 'mer_a', p: 'pay_link', e: 9_999_999_999 })).toString(
      'base64url',
    );
    expect(await verifyToken(db, `${forged}${token.slice(dot)}`, 'pay_link')).toEqual({
      ok: false,
      reason: 'tampered',
    });
    const expired = await signToken(db, 'mer_a', 'pay_link', { c: 'cus_1' }, new Date(Date.now() - 1000));
    expect(await verifyToken(db, expired, 'pay_link')).toEqual({ ok: false, reason: 'expired' });
    expect(await verifyToken(db, token, 'pay_link', new Date(Date.now() + 7_200_000))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('keeps merchants and purposes apart, and refuses what is not a token at all', async () => {
    const token = await signToken(db, 'mer_a', 'statement', { c: 'cus_1' }, inAnHour());
    expect(await verifyToken(db, token, 'pay_link')).toEqual({ ok: false, reason: 'wrong_purpose' });
    expect(await signingKey(db, 'mer_a')).not.toEqual(await signingKey(db, 'mer_b'));
    const asB = Buffer.from(JSON.stringify({ c: 'cus_1', m: 'mer_b', p: 'statement', e: 9_999_999_999 })).toString(
      'base64url',
    );
    expect(await verifyToken(db, `${asB}${token.slice(token.indexOf('.'))}`, 'statement')).toEqual({
      ok: false,
      reason: 'tampered',
    });
    const unknown = Buffer.from(JSON.stringify({ m: 'mer_zz', p: 'statement', e: 9_999_999_999 })).toString(
      'base64url',
    );
    expect(await verifyToken(db, `${unknown}.${'A'.repeat(43)}`, 'statement')).toEqual({
      ok: false,
      reason: 'tampered',
    });
    for (const junk of ['', 'abc', 'a.b', `${'x'.repeat(5000)}.${'A'.repeat(43)}`, 'a b.c']) {
      expect(await verifyToken(db, junk, 'statement')).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});
