// nginx as the bench server (the default when it is installed): a generated config in a temp
// dir (bench/nginx-config.ts), one process pinned to the server CPU with taskset, stopped with
// SIGTERM (fast shutdown) at the end or on Ctrl-C. Its counters come from stub_status; each
// read of that page is itself a connection and a request, which counters() subtracts.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MIB_BODY } from './bodies.js';
import { onCleanup } from './cleanup.js';
import { nginxConfig, type NginxPorts } from './nginx-config.js';
import { onCpu } from './pin.js';
import { processCpuMs, stopChild, type ServerCounters, type ServerProcess, type ServerTls } from './server-process.js';

const CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx', '/usr/bin/nginx'];
const READY_TIMEOUT_MS = 5_000;

/** The nginx binary, or null when none is installed. */
export function findNginx(): string | null {
  for (const p of CANDIDATES) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return null;
}

/** A port free right now (listen on 0, close): nginx needs numbers in its config. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (addr !== null && typeof addr !== 'string' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 5_000 }, (res) => {
      let text = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(text));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('nginx stub_status: timeout')));
    req.on('error', reject);
  });
}

/** "server accepts handled requests\n A H R" → accepts, requests. */
function parseStatus(text: string): { accepts: number; requests: number } {
  const m = /accepts handled requests\s+(\d+)\s+(\d+)\s+(\d+)/.exec(text);
  if (m === null) throw new Error(`nginx stub_status: unexpected page: ${text.slice(0, 200)}`);
  return { accepts: Number(m[1]), requests: Number(m[3]) };
}

/** "nginx/1.22.1" (`nginx -v` prints it to stderr; runs once per start). */
function version(bin: string): string {
  const out = spawnSync(bin, ['-v'], { encoding: 'latin1' });
  const m = /nginx\/([\d.]+)/.exec(String(out.stderr));
  return m === null ? 'nginx' : `nginx/${m[1] ?? ''}`;
}

export async function startNginx(bin: string, tls: ServerTls | null, cpu: number | null): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'httpool-bench-nginx-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'www'));
  mkdirSync(join(dir, 'tmp'));
  writeFileSync(join(dir, 'www', '1mib'), MIB_BODY);
  const ports: NginxPorts = {
    http: await freePort(),
    httpNoPush: await freePort(),
    https: tls === null ? null : await freePort(),
    h2: tls === null ? null : await freePort(),
    h2Max128: tls === null ? null : await freePort(),
  };
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig({ dir, ports, tls }));
  const [cmd, args] = onCpu(cpu, bin, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')]);
  const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('latin1');
  child.stderr?.on('data', (c: string) => (stderr += c.slice(0, 4096)));
  const unregister = onCleanup(async () => {
    await stopChild(child);
    removeDir();
  });
  const stop = async (): Promise<void> => {
    unregister();
    await stopChild(child);
    removeDir();
  };
  try {
    // Ready when every listener accepts; bounded by READY_TIMEOUT_MS.
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const all = [ports.http, ports.httpNoPush, ports.https, ports.h2, ports.h2Max128].filter((p): p is number => p !== null);
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        let log = '';
        try {
          log = readFileSync(join(dir, 'error.log'), 'latin1');
        } catch {
          // no log written
        }
        throw new Error(`nginx exited at start: ${(stderr + log).trim().slice(0, 1000)}`);
      }
      const ok = await Promise.all(all.map(canConnect));
      if (ok.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error(`nginx did not listen within ${READY_TIMEOUT_MS} ms`);
      await sleep(50);
    }
    const origin = `http://127.0.0.1:${ports.http}`;
    let reads = 0;
    return {
      kind: 'nginx',
      description: `${version(bin)}, one process${cpu === null ? '' : ` on CPU ${cpu}`}`,
      origins: {
        http: origin,
        httpNoPush: `http://127.0.0.1:${ports.httpNoPush}`,
        https: ports.https === null ? null : `https://127.0.0.1:${ports.https}`,
        h2: ports.h2 === null ? null : `https://127.0.0.1:${ports.h2}`,
        h2Max128: ports.h2Max128 === null ? null : `https://127.0.0.1:${ports.h2Max128}`,
      },
      async counters(): Promise<ServerCounters> {
        reads++;
        const s = parseStatus(await get(`${origin}/nginx_status`));
        // Every read so far, this one included, was one connection and one request of ours.
        return { connections: s.accepts - reads, requests: s.requests - reads };
      },
      cpuMs: () => processCpuMs(child.pid),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
