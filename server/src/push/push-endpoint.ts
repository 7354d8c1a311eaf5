import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent } from 'node:https';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { HttpError } from '../platform/http/errors.js';

/**
 * A push subscription's endpoint is a URL a browser hands us, so anyone with a login can
 * name it. The server then opens a TLS connection there and POSTs to it: without these
 * checks that is a way to reach loopback, the private network and cloud metadata services
 * from inside (SSRF). Real push services (FCM, Mozilla, Apple, WNS) are public HTTPS hosts
 * on the default port, so that is all we allow.
 */

/** Only globally routable unicast: ipaddr.js names every special range (private, loopback, link-local, CGNAT, ULA, multicast, 6to4, NAT64, …) something else. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // process() turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1) into the IPv4 address it carries.
  return ipaddr.process(address).range() === 'unicast';
}

export class PushEndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PushEndpointError';
  }
}

/** The host as the URL parser normalised it (0x7f.1 and 2130706433 are already 127.0.0.1), without IPv6 brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** What can be decided from the URL alone; throws PushEndpointError. */
export function checkEndpointUrl(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new PushEndpointError('must be the push service URL');
  }
  if (url.protocol !== 'https:') throw new PushEndpointError('must be an https:// push service URL');
  if (url.username || url.password) throw new PushEndpointError('must not contain a user name or password');
  // The default port only: a push service does not live on port 22 or 5432.
  if (url.port !== '') throw new PushEndpointError('must use the default https port');
  const host = hostOf(url);
  if (isIP(host) && !isPublicAddress(host)) throw new PushEndpointError('must be a public push service, not a private or local address');
  return url;
}

/** The URL checks, then every address the host resolves to must be public. */
export async function checkEndpoint(endpoint: string): Promise<void> {
  const url = checkEndpointUrl(endpoint);
  const host = hostOf(url);
  if (isIP(host)) return;
  let addresses: LookupAddress[];
  try {
    addresses = await new Promise((resolve, reject) => dnsLookup(host, { all: true }, (error, found) => (error ? reject(error) : resolve(found))));
  } catch {
    throw new PushEndpointError('host cannot be resolved');
  }
  if (!addresses.length || addresses.some((a) => !isPublicAddress(a.address))) {
    throw new PushEndpointError('must be a public push service, not a private or local address');
  }
}

/** For the HTTP boundary: a 400 naming the field. */
export async function assertPushEndpoint(endpoint: string): Promise<void> {
  try {
    await checkEndpoint(endpoint);
  } catch (error) {
    if (error instanceof PushEndpointError) throw new HttpError(400, 'invalid_push_endpoint', `endpoint ${error.message}`, 'endpoint');
    throw error;
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The resolver the sending Agent connects through: DNS may answer differently at send time
 * than it did at subscribe time (rebinding), so the address actually connected to is the one
 * checked here. Node calls it with `all: true` when it races IPv4 and IPv6 (autoSelectFamily).
 */
function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (!addresses.length || refused) {
      const err: NodeJS.ErrnoException = new Error(`push endpoint host ${hostname} resolves to a non-public address`);
      err.code = 'ENOTPUBLIC';
      return callback(err, []);
    }
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

/** An https Agent that refuses to connect anywhere but public addresses. IP-literal hosts skip lookup, so checkEndpointUrl must run too. */
export function publicOnlyAgent(): Agent {
  return new Agent({ lookup: publicOnlyLookup as never });
}
