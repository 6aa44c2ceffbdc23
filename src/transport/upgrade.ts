// 101 Switching Protocols (RFC 9110 §15.2.2): the bytes that follow belong to the new
// protocol. The caller gets them, and the socket's write side, as a Duplex; conn.ts pushes
// what it reads into it and pauses the socket when the caller falls behind.

import { Duplex } from 'node:stream';

export function upgradeStream(socket: Duplex): Duplex {
  return new Duplex({
    read: () => {
      if (socket.isPaused()) socket.resume();
    },
    write: (chunk: Buffer, enc: BufferEncoding, cb: (err?: Error | null) => void) => {
      socket.write(chunk, enc, cb);
    },
    final: (cb: (err?: Error | null) => void) => {
      socket.end();
      cb();
    },
    destroy: (err: Error | null, cb: (err?: Error | null) => void) => {
      socket.destroy();
      cb(err);
    },
  });
}
