// Differential fuzzing: generated valid responses served from a raw loopback server are read
// by Node's own client (node:http, llhttp) and by httpool's Client over the same server, and
// parsed by httpool's ResponseParser from the same bytes; status, reason, headers (names
// lower-cased, values), body bytes and trailers must agree, and 1xx heads between node:http
// and the parser. Sockets are slow, so runs are few (HTTPOOL_FUZZ_RUNS × 0.05, default 30).
//
// The generator leaves out what httpool's documented policy knowingly does differently from
// llhttp (see LLHTTP below); trailers are compared after httpool's documented drop of framing
// fields. Everything else generated must be read identically by both. A second property
// mutates such responses into the chunk-line shapes llhttp refuses (issue 16): both refuse them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { rawServer } from './support/servers.js';
import { Client, Transport, useLastResponse } from '../src/index.js';
import { HttpoolError } from '../src/errors.js';
import { fcParams, fuzzRuns, fuzzSeed } from './support/fuzz/settings.js';
import { FULL, PROHIBITED_TRAILERS, responseSpecArb, type GenOptions } from './support/fuzz/valid.js';
import { render, type Rendered } from './support/fuzz/render.js';
import { runParser } from './support/fuzz/driver.js';
import { CHUNK_LINE_MUTATIONS, invalidCase } from './support/fuzz/invalid.js';

/**
 * The valid responses both parsers must read alike: FULL minus the documented differences
 * from llhttp (listed in the fuzzing report and docs/RELIABILITY.md):
 */
const LLHTTP: GenOptions = {
  ...FULL,
  // 1. Bare-LF line endings in heads: accepted (RFC 9112 §2.2 MAY); llhttp: HPE_CR_EXPECTED.
  //    (In a chunked body both refuse them.)
  lf: false,
  // 2. Identical repeated Content-Length lines and `N, N` lists: accepted (RFC 9112 §6.3 item 5);
  //    llhttp: HPE_UNEXPECTED_CONTENT_LENGTH "Duplicate Content-Length".
  clRepeat: false,
  // 3. HTTP/1.0 1xx heads before the final response: httpool reads on (1xx never end a
  //    connection); llhttp takes HTTP/1.0 without keep-alive as close: HPE_CLOSED_CONNECTION.
  info10: false,
  // 4. Content-Length in a chunked body's trailers: dropped (RFC 9110 §6.5.1); llhttp:
  //    HPE_INVALID_CONTENT_LENGTH. Other framing trailers (Host, Connection, TE…) both accept;
  //    httpool drops them, so trailers are compared after that drop.
  framingTrailers: FULL.framingTrailers.filter((n) => n !== 'content-length'),
  maxResponses: 1, // one response per connection (node:http with agent:false)
  upgrade: false, // 101 hands the socket over ('upgrade' event): not a parse to compare
};

interface Seen {
  infos: { status: number; reason: string; headers: [string, string][] }[];
  status: number;
  reason: string;
  headers: [string, string][];
  body: string;
  trailers: [string, string][];
}

function pairs(raw: readonly string[], drop?: ReadonlySet<string>): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (drop?.has(name)) continue;
    out.push([name, raw[i + 1]!]);
  }
  return out;
}

function viaNode(port: number, method: string): Promise<Seen | { error: string }> {
  return new Promise((resolve) => {
    const infos: Seen['infos'] = [];
    const req = http.request({ host: '127.0.0.1', port, method, path: '/', agent: false });
    req.on('information', (info) => {
      infos.push({ status: info.statusCode, reason: info.statusMessage, headers: pairs(info.rawHeaders) });
    });
    req.on('error', (e) => resolve({ error: `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}` }));
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('error', (e) => resolve({ error: `response: ${e.message}` }));
      res.on('end', () =>
        resolve({
          infos,
          status: res.statusCode!,
          reason: res.statusMessage!,
          headers: pairs(res.rawHeaders),
          body: Buffer.concat(parts).toString('latin1'),
          // Compared after the documented policy: framing fields in trailers are dropped.
          trailers: pairs(res.rawTrailers, PROHIBITED_TRAILERS),
        }),
      );
    });
    req.end();
  });
}

function viaHttpool(r: Rendered): Seen | { error: string } {
  const o = runParser(r.wire, [r.method], [0]);
  if (o.foreign !== undefined) throw o.foreign;
  if (o.error !== null) return { error: `${o.error.code} ${o.error.message}` };
  const res = o.responses[0]!;
  return {
    infos: res.infos.map((h) => ({ status: h.statusCode, reason: h.reason, headers: pairs(h.rawHeaders) })),
    status: res.head!.statusCode,
    reason: res.head!.reason,
    headers: pairs(res.head!.rawHeaders),
    body: res.body.toString('latin1'),
    trailers: pairs(res.trailers ?? []),
  };
}

async function viaClient(client: Client, port: number, method: string): Promise<Seen | { error: string }> {
  try {
    const url = `http://127.0.0.1:${port}/`;
    const res = method === 'HEAD' ? await client.head(url) : await client.get(url);
    const body = Buffer.from(await res.body.bytes()).toString('latin1');
    const sp = res.status.indexOf(' ');
    return {
      infos: [], // 1xx heads reach a Client only through trace hooks; compared via the parser
      status: res.statusCode,
      reason: sp === -1 ? '' : res.status.slice(sp + 1),
      headers: pairs([...res.headers].flat()),
      body,
      trailers: pairs([...res.trailers].flat()),
    };
  } catch (e) {
    if (e instanceof HttpoolError) return { error: `${e.code} ${e.message}` };
    throw e;
  }
}

interface Rig {
  port: number;
  client: Client;
  /** The bytes the server answers the next request with. */
  serve(wire: Buffer): void;
}

/**
 * A raw loopback server answering each request with the bytes last given to `serve`, and an
 * httpool Client; checks `prop(rig)` with the fuzz settings and closes both.
 */
async function differential<T>(t: { diagnostic(m: string): void }, prop: (rig: Rig) => fc.IAsyncProperty<[T]>): Promise<void> {
  let current: Buffer = Buffer.alloc(0);
  const server = await rawServer((socket: Socket) => {
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n')) {
        got = '';
        socket.end(current);
      }
    });
  });
  const transport = new Transport();
  // Redirects are not followed: a generated 3xx with Location is just a response here.
  const client = new Client({ transport, checkRedirect: () => useLastResponse });
  try {
    const rig: Rig = { port: server.port, client, serve: (wire) => void (current = wire) };
    const seed = fuzzSeed();
    const details = await fc.check(prop(rig), fcParams(fuzzRuns(30, 0.05), seed));
    if (details.failed) {
      const e = details.errorInstance;
      assert.fail(`${fc.defaultReportMessage(details) ?? 'failed'}\n\nError: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    t.diagnostic(`${details.numRuns} runs, seed ${seed}`);
  } finally {
    await transport.close();
    await server.close();
  }
}

test('differential: node:http (llhttp) and httpool read generated responses alike', (t) =>
  differential(t, (rig) =>
    fc.asyncProperty(
      responseSpecArb(LLHTTP, true).map((spec) => {
        const r = render(spec, LLHTTP);
        Object.defineProperty(r, fc.toStringMethod, {
          value: () => `Response(method=${r.method}, wire=${JSON.stringify(r.wire.toString('latin1'))})`,
        });
        return r;
      }),
      async (r) => {
        rig.serve(r.wire);
        const node = await viaNode(rig.port, r.method);
        const ours = viaHttpool(r);
        assert.deepEqual(ours, node, 'httpool ResponseParser (actual) vs node:http (expected)');
        const viaC = await viaClient(rig.client, rig.port, r.method);
        assert.deepEqual(viaC, 'error' in node ? node : { ...node, infos: [] }, 'httpool Client (actual) vs node:http (expected)');
      },
    ),
  ),
);

// Issue 16: the chunk-size lines and bare LFs in chunked framing llhttp refuses in strict mode,
// made by the fuzzers' mutations of generated valid responses: node:http must refuse each (the
// shapes are as llhttp reads them) and httpool's parser and Client with ERR_PROTOCOL.
test('differential: chunk-line shapes llhttp refuses, httpool refuses too (ERR_PROTOCOL)', (t) =>
  differential(t, (rig) =>
    fc.asyncProperty(invalidCase({ ...LLHTTP, maxBody: 300 }, CHUNK_LINE_MUTATIONS, true), async (c) => {
      rig.serve(c.wire);
      const node = await viaNode(rig.port, c.method);
      assert.ok('error' in node, `node:http accepted ${c.mutation}: the shape is not one llhttp refuses`);
      const o = runParser(c.wire, [c.method], [0]);
      if (o.foreign !== undefined) throw o.foreign;
      assert.equal(o.error?.code, 'ERR_PROTOCOL', `httpool parser on ${c.mutation}`);
      const viaC = await viaClient(rig.client, rig.port, c.method);
      assert.ok('error' in viaC && viaC.error.startsWith('ERR_PROTOCOL '), `httpool Client on ${c.mutation}: ${JSON.stringify(viaC).slice(0, 200)}`);
    }),
  ),
);
