// node:http as a caller writes it, promisified: a request that resolves with the response
// head (the body left to the pattern: read, destroyed or dropped), and a helper that reads a
// body to its end, which is what hands the socket back to the Agent.

import http from 'node:http';
import { Readable } from 'node:stream';

export interface NodeRequestInit {
  agent: http.Agent;
  method?: string;
  headers?: http.OutgoingHttpHeaders;
  /** A string is sent whole; a Readable is piped (chunked, as node:http frames unknown lengths). */
  body?: string | Readable;
}

export function nodeRequest(url: string, init: NodeRequestInit): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: init.agent, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      // Failures after the head belong to the body, which the pattern handles (or drops on
      // purpose); without a listener a late socket error would crash the whole lab.
      req.on('error', () => {});
      resolve(res);
    });
    req.on('error', reject);
    const body = init.body;
    if (body instanceof Readable) body.pipe(req);
    else req.end(body);
  });
}

/** Reads the body to its end (the only way node:http frees the socket for the next request). */
export function readAll(res: http.IncomingMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    res.on('end', () => resolve());
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('response aborted')));
    res.resume();
  });
}
