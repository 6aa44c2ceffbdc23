// undici's responses do not say which protocol carried them, so this connector records each
// connection's ALPN result and refuses a connection that negotiated anything but the row's
// protocol: every response that arrives was therefore carried by that protocol. Shared by the
// Pool row and the Client row.

import tls from 'node:tls';
import { buildConnector } from 'undici';
import type { Target } from './client-common.js';
import { protocolOfAlpn } from './client-common.js';

export function checkedConnector(target: Target, allowH2: boolean): buildConnector.connector {
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
