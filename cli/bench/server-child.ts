// The embedded server's own process: `httpool bench` forks this module with an IPC channel, so
// the server's work runs on another event loop (and core) than the load it answers. Messages:
//
//   parent → child   { type: 'start', options }   start listening (127.0.0.1, port 0)
//                    { type: 'counters' }         ask what the server saw so far
//                    { type: 'close' }            close everything, then exit
//   child → parent   { type: 'ready', url, info } { type: 'counters', connections, requests }
//                    { type: 'error', message }   (start failed; the child exits)
//
// The child must never outlive the bench: when the IPC channel closes (the parent exited,
// crashed or was SIGKILLed), 'disconnect' fires and the child exits at once. SIGINT from a
// terminal's Ctrl-C reaches the whole process group; the child ignores it and lets the parent
// decide (it reports the run so far, then sends 'close').

import { startEmbeddedServer, type EmbeddedServer, type EmbeddedServerOptions } from './server.js';

export type ToChild = { type: 'start'; options: EmbeddedServerOptions } | { type: 'counters' } | { type: 'close' };

if (process.send === undefined) {
  process.stderr.write('httpool bench: server-child.js runs only as the bench\'s child process\n');
  process.exit(2);
}

const send = (m: unknown): void => {
  if (process.connected) process.send!(m);
};
let server: EmbeddedServer | null = null;

process.on('disconnect', () => process.exit(0));
process.on('SIGINT', () => {});
process.on('message', (m: ToChild) => {
  if (m.type === 'start') {
    startEmbeddedServer(m.options).then(
      (s) => {
        server = s;
        send({ type: 'ready', url: s.url, info: s.info });
      },
      (err: unknown) => {
        send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
        process.disconnect();
      },
    );
  } else if (m.type === 'counters') {
    send({ type: 'counters', ...(server?.counters() ?? { connections: 0, requests: 0 }) });
  } else if (m.type === 'close') {
    void (server?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  }
});
