import { describe, expect, it } from 'vitest';
import {
  isSettleError,
  isSettleHttpError,
  isSettleNetworkError,
  isSettleSchemaError,
  isSettleTimeoutError,
  SettleHttpError,
  SettleNetworkError,
  SettleTimeoutError,
} from './errors.js';

describe('Settle errors', () => {
  it('lists the first message of each bad field by its path', () => {
    const error = new SettleHttpError(422, {
      code: 'validation_failed',
      message: 'The payment has problems',
      details: [
        { path: 'allocations.0.amount', code: 'too_big', message: 'At most 1,200.00' },
        { path: 'allocations.0.amount', code: 'other', message: 'Second opinion' },
        { path: 'allocations.1.reasonCode', code: 'required', message: 'Pick a reason' },
      ],
    });
    expect(error.fieldErrors()).toEqual({
      'allocations.0.amount': 'At most 1,200.00',
      'allocations.1.reasonCode': 'Pick a reason',
    });
    expect(error).toMatchObject({ name: 'SettleHttpError', code: 'validation_failed', status: 422 });
    expect(error.message).toBe('The payment has problems');
  });

  it('tells the kinds apart, each guard matching only its own', () => {
    const http = new SettleHttpError(401, { code: 'unauthorized', message: 'No' });
    const network = new SettleNetworkError('offline');
    const timeout = new SettleTimeoutError('slow', 100);
    expect([http, network, timeout].map(isSettleError)).toEqual([true, true, true]);
    expect([http, network, timeout].map(isSettleHttpError)).toEqual([true, false, false]);
    expect([http, network, timeout].map(isSettleNetworkError)).toEqual([false, true, false]);
    expect([http, network, timeout].map(isSettleTimeoutError)).toEqual([false, false, true]);
    expect(isSettleSchemaError(http)).toBe(false);
    expect(isSettleError(new TypeError('fetch failed'))).toBe(false);
    expect(isSettleError(undefined)).toBe(false);
  });

  it('recognizes an error thrown by another copy of the package by its name', () => {
    // What a second bundle's SettleHttpError looks like from here: same name, another class.
    const foreign = Object.assign(new Error('Unauthorized'), { name: 'SettleHttpError', status: 401 });
    expect(foreign).not.toBeInstanceOf(SettleHttpError);
    expect(isSettleHttpError(foreign)).toBe(true);
    expect(isSettleError(foreign)).toBe(true);
    expect(isSettleNetworkError(foreign)).toBe(false);
  });
});
