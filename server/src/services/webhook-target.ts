import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Ranges that mean "inside someone's network" (this host, a LAN, a cloud's metadata service). */
const PRIVATE_RANGES = new Set(['unspecified', 'loopback', 'private', 'linkLocal', 'carrierGradeNat', 'uniqueLocal']);

/** Why Settle will not POST to a merchant's endpoint at `address`, or null when it may. */
export function refusalFor(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address); // an IPv4-mapped IPv6 address is judged as the IPv4 one it carries
  } catch {
    return `refused: ${address} is not an IP address`;
  }
  const range = parsed.range();
  if (range === 'unicast') return null;
  const shown = parsed.toString();
  return PRIVATE_RANGES.has(range)
    ? `refused: ${shown} is a private address (${range})`
    : `refused: ${shown} is not a public address (${range})`;
}

/** A delivery the server would not make: the endpoint's host is (or resolves to) a private address. */
export class WebhookTargetRefused extends Error {
  override readonly name = 'WebhookTargetRefused';
  readonly code = 'EWEBHOOKTARGET';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http(s) `request` that resolves the host once and hands the socket only
 * public addresses, so the address checked is the address connected to: DNS that answers
 * differently a moment later (rebinding) cannot switch the connection to an internal host.
 */
export function publicOnlyLookup(
  hostname: string,
  options: LookupOptions | LookupAllOptions,
  callback: LookupCallback,
): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const allowed = addresses.filter((a) => refusalFor(a.address) === null);
    if (allowed.length === 0) {
      const first = addresses[0];
      const reason = first ? refusalFor(first.address) : `refused: ${hostname} has no address`;
      return callback(new WebhookTargetRefused(`${reason} (${hostname})`), []);
    }
    if (options.all) return callback(null, allowed);
    const [one] = allowed as [LookupAddress];
    callback(null, one.address, one.family);
  });
}

/**
 * Checks a URL's host before connecting when it is an IP literal (the socket skips `lookup` for
 * those); a host name is checked by {@link publicOnlyLookup} as it is resolved.
 */
export function literalHostRefusal(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? refusalFor(host) : null;
}
