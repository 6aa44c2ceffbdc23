// undici's row: a Pool with `connections` as the connection budget. Its responses do not say
// which protocol carried them, so the connector below records each connection's ALPN result
// and refuses a connection that negotiated anything but the row's protocol: every response
// that arrives was therefore carried by that protocol.

import tls from 'node:tls';
import { Pool, buildConnector } from 'undici';
import type { BenchClient, Protocol, Target } from './client-common.js';
import { REQUEST_TIMEOUT_MS, protocolOfAlpn } from './client-common.js';

function checkedConnector(target: Target, allowH2: boolean): buildConnector.connector {
  const base = buildConnector({ ...(target.ca === null ? {} : { ca: target.ca }), allowH2 });
  return (opts, callback) => {
    base(opts, (err, socket) => {
      if (err !== null) {
        callback(err, null);
        return;
      }
      const got = protocolOfAlpn(socket instanceof tls.TLSSocket ? socket.alpnProtocol : false);
      if (got !== target.protocol) {
        socket.destroy();
        callback(new Error(`undici: connection negotiated ${got}, expected ${target.protocol}`), null);
        return;
      }
      callback(null, socket);
    });
  };
}

export async function undiciClient(target: Target): Promise<BenchClient> {
  // undici v7: `allowH2` offers h2 in ALPN and speaks it when the server picks it.
  const allowH2 = target.protocol === 'HTTP/2.0';
  const pool = new Pool(target.origin, {
    connections: target.concurrency,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
    allowH2,
    connect: checkedConnector(target, allowH2),
  });
  // Only connections that passed the check carry requests (see the file comment).
  const protocol: Protocol = target.protocol;
  return {
    name: 'undici',
    async get(path) {
      const { statusCode, body } = await pool.request({ path, method: 'GET' });
      if (statusCode !== 200) {
        await body.dump();
        throw new Error(`undici: status ${statusCode}`);
      }
      // Not body.dump(): past its 128 KiB limit it destroys the connection instead of reading.
      let bytes = 0;
      for await (const chunk of body) bytes += (chunk as Buffer).length;
      return { bytes, protocol };
    },
    close: () => pool.close(),
  };
}
