// SOCKS5 through the `socks` library, over a TCP connection already open to the proxy (so the
// dial's timeouts, trace hooks and lookup apply to it as to any other). socks5h hands the
// target's name to the proxy; socks5, as curl means it, resolves the name here first. Go sends
// the name for both; curl's split lets a user choose where DNS happens.

import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import { SocksClient } from 'socks';
import { ConnectError, ProxyError } from '../errors.js';
import type { PoolKey } from '../transport/key.js';
import type { ProxyTarget } from './proxy-url.js';

export async function socksConnect(socket: Duplex, key: PoolKey, proxy: ProxyTarget, lookup: LookupFunction | null): Promise<Duplex> {
  let host = key.hostname;
  if (proxy.scheme === 'socks5' && isIP(host) === 0) host = await resolve(host, lookup);
  try {
    const { socket: tunnel } = await SocksClient.createConnection({
      command: 'connect',
      existing_socket: socket,
      destination: { host, port: key.port },
      proxy: {
        host: proxy.hostname,
        port: proxy.port,
        type: 5,
        ...(proxy.username !== '' || proxy.password !== '' ? { userId: proxy.username, password: proxy.password } : {}),
      },
    });
    return tunnel;
  } catch (err) {
    socket.destroy();
    throw new ProxyError(`SOCKS5 proxy ${proxy.display} could not connect to ${key.targetHostPort}: ${(err as Error).message}`, 0, { cause: err });
  }
}

async function resolve(host: string, lookup: LookupFunction | null): Promise<string> {
  try {
    if (lookup === null) return (await dnsLookup(host)).address;
    return await new Promise<string>((res, rej) =>
      lookup(host, {}, (err, address) => (err ? rej(err) : res(typeof address === 'string' ? address : address[0]!.address))),
    );
  } catch (err) {
    throw new ConnectError('ERR_DNS', `cannot resolve ${host} for the SOCKS5 proxy (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
}
