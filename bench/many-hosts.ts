// What a Transport keeps per host it has reached (issue 16), for this build or another one:
// warm up with 5,000 distinct loopback hosts (127.x.y.z), then reach N more, close the idle
// connections, collect, and print the heap growth. test/many-hosts.test.ts asserts the bound;
// this prints the figure for docs/RELIABILITY.md and for an older build beside it.
//
//   node build/bench/many-hosts.js [--hosts 20000] [--against DIR]   (DIR: another build/, e.g. /tmp/base/build)
//
// One server answers on every 127.x.y.z: it listens on all addresses and serves loopback peers only.

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

interface Built {
  Client: new (o: { transport: unknown }) => { get(url: string): Promise<{ body: { text(): Promise<string> } }> };
  Transport: new () => { closeIdleConnections(): void; close(): Promise<void> };
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

const hosts = Number(arg('--hosts', '20000'));
const dir = resolve(arg('--against', new URL('..', import.meta.url).pathname));
const { Client, Transport } = (await import(pathToFileURL(`${dir}/src/index.js`).href)) as Built;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heap = (): number => {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
};
const host = (i: number): string => `127.${1 + Math.floor(i / (254 * 254))}.${1 + (Math.floor(i / 254) % 254)}.${1 + (i % 254)}`;

const server = http.createServer((req, res) => {
  if (!req.socket.remoteAddress?.startsWith('127.')) return void req.socket.destroy();
  res.end('ok');
});
await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
const port = (server.address() as AddressInfo).port;
const transport = new Transport();
const client = new Client({ transport });
let next = 0;
async function reach(count: number): Promise<void> {
  const end = next + count;
  const worker = async (): Promise<void> => {
    while (next < end) {
      const res = await client.get(`http://${host(next++)}:${port}/`);
      await res.body.text();
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
}
await reach(5_000);
transport.closeIdleConnections();
const before = heap();
await reach(hosts);
transport.closeIdleConnections();
const grown = heap() - before;
console.log(`${dir}: ${hosts} hosts after 5000: heap growth ${(grown / 1024).toFixed(0)} KiB (${(grown / hosts).toFixed(0)} B/host)`);
await transport.close();
server.closeAllConnections();
server.close();
