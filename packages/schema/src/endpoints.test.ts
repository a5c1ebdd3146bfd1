import { describe, expect, it } from 'vitest';
import { endpoints, merchantEndpoints, pathFor, sessionEndpoints } from './endpoints.js';
import { routes } from './routes.js';

describe('endpoints', () => {
  it('is the merchant table and the session table in one, neither overlapping the other', () => {
    expect(endpoints).toEqual({ ...merchantEndpoints, ...sessionEndpoints });
    const names = [...Object.keys(merchantEndpoints), ...Object.keys(sessionEndpoints)];
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(routes)).toEqual(Object.keys(endpoints));
  });

  it('keeps the secret key and the client token each to their own table', () => {
    for (const e of Object.values(merchantEndpoints)) expect(e.auth).toBe('secret');
    for (const e of Object.values(sessionEndpoints)) expect(e.auth).toBe('client');
  });

  it('fills path parameters, encoded', () => {
    expect(pathFor(sessionEndpoints.getSessionPayment.path, { id: 'pay 1/2' })).toBe(
      '/v1/session/payments/pay%201%2F2',
    );
    expect(() => pathFor(merchantEndpoints.getPayment.path)).toThrow('Missing path parameter id');
  });
});
