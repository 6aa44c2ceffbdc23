// The `lookup` option, adapted to what its caller asks for. dns.lookup answers in two shapes:
// one address (`cb(null, '10.0.0.1', 4)`) or, with `all: true`, a list. net.connect asks for
// the list (happy eyeballs, autoSelectFamily) and fails on a single address with "Invalid IP
// address: undefined"; a custom resolver written against the documented one-address form is
// common, so either shape is accepted and turned into the one that was asked for.

import { isIP, type LookupFunction } from 'node:net';

interface Address {
  address: string;
  family: number;
}

type Callback = (err: NodeJS.ErrnoException | null, address: string | Address[], family?: number) => void;

export function eitherLookupShape(lookup: LookupFunction): LookupFunction {
  const adapted = (hostname: string, options: { all?: boolean }, callback: Callback): void => {
    const all = options.all === true;
    (lookup as (h: string, o: object, cb: Callback) => void)(hostname, options, (err, address, family) => {
      if (err !== null && err !== undefined) return callback(err, all ? [] : '', 0);
      if (all && typeof address === 'string') return callback(null, [{ address, family: family || isIP(address) }]);
      if (!all && Array.isArray(address)) {
        const first = address[0];
        if (first === undefined) return callback(notFound(hostname), '', 0);
        return callback(null, first.address, first.family);
      }
      callback(null, address, family);
    });
  };
  return adapted as LookupFunction;
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
}
