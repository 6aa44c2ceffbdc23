// The package as a user gets it: `npm pack` (its prepack builds dist/ afresh) into a temp dir,
// the tarball's file list checked, then the tarball installed into a fresh temp project without
// network and loaded the four ways projects load it: an ESM .mjs, a CommonJS .cjs (which must
// get the very module instance `import` gets: one default Transport), TypeScript under
// module/moduleResolution nodenext (an .mts and a .cts) and under esnext/bundler, both strict.
// Each makes one real request to a loopback server; the installed `httpool` bin makes one too.
//
// The install needs no network: the temp project gets a package-lock.json whose entries for
// httpool's dependencies are the checkout's own (resolved URL and integrity), so `npm ci
// --offline` takes their tarballs from the npm cache that the checkout's `npm ci` filled.
// TypeScript is the checkout's, and @types/node is linked from the checkout's node_modules.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpServer, type TestServer } from './support/servers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** Per check: a child process or two; the pack and install get their own budget in before(). */
const T = { timeout: 30_000 };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion and never longer than `ms`: on time-out its whole process group
 * is killed (npm runs the build through a shell and another npm) and the run fails.
 */
function run(cmd: string, args: string[], opts: { cwd: string; ms: number; env?: Record<string, string> }): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  delete env['NODE_TEST_CONTEXT']; // the children are programs, not test files
  // The directory of this node first: the bin's `#!/usr/bin/env node` and npm's scripts find it.
  env['PATH'] = `${dirname(process.execPath)}:${env['PATH'] ?? ''}`;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      reject(new Error(`${cmd} ${args.join(' ')} still running after ${opts.ms} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, opts.ms);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function ok(r: Run, what: string): string {
  assert.equal(r.code, 0, `${what} exited ${r.code}; stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stdout;
}

interface PackFile {
  path: string;
}
interface PackResult {
  filename: string;
  files: PackFile[];
  entryCount: number;
  size: number;
}

interface Manifest {
  version: string;
  license?: string;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: unknown;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
}

interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
  link?: boolean;
}

let tmp = '';
let app = '';
let pack: PackResult;
let shipped: Set<string>;
let manifest: Manifest;
let server: TestServer;
const seen: string[] = [];

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'httpool-package-'));
  server = await httpServer((req, res) => {
    seen.push(req.url ?? '');
    res.setHeader('content-type', 'text/plain');
    res.end(`hello ${req.url ?? ''}`);
  });

  const packed = ok(await run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT, ms: 120_000 }), 'npm pack');
  [pack] = JSON.parse(packed) as [PackResult];
  shipped = new Set(pack.files.map((f) => f.path));
  manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Manifest;

  // The temp project: httpool from the tarball; its dependencies pinned as the checkout pins them.
  app = join(tmp, 'app');
  await mkdir(app);
  const spec = `file:../${pack.filename}`;
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, unknown> = {
    '': { name: 'httpool-consumer', dependencies: { httpool: spec } },
    'node_modules/httpool': {
      version: manifest.version,
      resolved: spec,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path !== '' && !entry.dev && !entry.devOptional && !entry.link) packages[path] = entry;
  }
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'httpool-consumer', private: true, type: 'module', dependencies: { httpool: spec } }, null, 2),
  );
  await writeFile(
    join(app, 'package-lock.json'),
    JSON.stringify({ name: 'httpool-consumer', lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  const install = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: app, ms: 60_000 });
  ok(install, "npm ci --offline in the temp project (httpool's dependencies come from the npm cache the checkout's `npm ci` filled)");
  await mkdir(join(app, 'node_modules', '@types'));
  await symlink(join(ROOT, 'node_modules', '@types', 'node'), join(app, 'node_modules', '@types', 'node'), 'dir');
}, { timeout: 180_000 });

after(async () => {
  await server?.close();
  if (tmp !== '') await rm(tmp, { recursive: true, force: true });
});

/** Every string an exports map can lead to, through any nesting of conditions. */
function targets(exp: unknown): string[] {
  if (typeof exp === 'string') return [exp];
  if (exp === null || typeof exp !== 'object') return [];
  return Object.values(exp).flatMap(targets);
}

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) out.push(...(await filesUnder(join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out;
}

test('the tarball: LICENSE, dist only, no source map left dangling, no CLI .d.ts, every entry point shipped', T, async () => {
  for (const f of ['LICENSE', 'README.md', 'package.json']) assert.ok(shipped.has(f), `${f} is in the tarball`);
  assert.match(await readFile(join(ROOT, 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) 2026 the httpool contributors\n/);
  const stray = [...shipped].filter((f) => !f.startsWith('dist/src/') && !f.startsWith('dist/cli/') && !['LICENSE', 'README.md', 'package.json'].includes(f));
  assert.deepEqual(stray, [], 'nothing but dist/src, dist/cli and the three top-level files');
  assert.deepEqual([...shipped].filter((f) => /^dist\/cli\/.*\.d\.ts$/.test(f)), [], "the CLI's declarations are not shipped");
  assert.ok(shipped.has('dist/src/index.d.ts') && shipped.has('dist/src/index.js'));

  // Entry points: main, types, bin and every exports target are files the tarball has.
  const entries = [manifest.main, manifest.types, ...Object.values(manifest.bin ?? {}), ...targets(manifest.exports)];
  for (const e of entries) {
    assert.ok(e !== undefined);
    assert.ok(shipped.has(posix.normalize(e)), `${e} (named by package.json) is in the tarball`);
  }

  // The installed copy is the tarball: same files. A source map, or a sourceMappingURL comment,
  // must lead only to files it has.
  const installed = join(app, 'node_modules', 'httpool');
  const files = await filesUnder(installed);
  assert.deepEqual(files.sort(), [...shipped].sort());
  for (const f of files) {
    if (!/\.(js|d\.ts|map)$/.test(f)) continue;
    const text = await readFile(join(installed, f), 'utf8');
    const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
    if (url !== undefined && !url.startsWith('data:')) {
      assert.ok(shipped.has(posix.join(posix.dirname(f), url)), `${f} points at ${url}, which the tarball lacks`);
    }
    if (f.endsWith('.map')) {
      const map = JSON.parse(text) as { sources: string[]; sourceRoot?: string; sourcesContent?: (string | null)[] };
      map.sources.forEach((s, i) => {
        if (typeof map.sourcesContent?.[i] === 'string') return;
        const src = posix.normalize(posix.join(posix.dirname(f), map.sourceRoot ?? '', s));
        assert.ok(shipped.has(src), `${f} names source ${s}, which the tarball lacks`);
      });
    }
  }
});

/** Runs one of the temp project's programs against `path` on the loopback server. */
async function request(file: string, path: string): Promise<string> {
  const out = ok(await run(process.execPath, [file], { cwd: app, ms: 15_000, env: { HTTPOOL_TEST_URL: server.url + path } }), file);
  assert.ok(seen.includes(path), `the server saw ${path}`);
  return out;
}

test('ESM: import from an .mjs file', T, async () => {
  await writeFile(
    join(app, 'esm.mjs'),
    `import { get } from 'httpool';
import { MockTransport, startTestServer } from 'httpool/testing';
if (typeof MockTransport !== 'function' || typeof startTestServer !== 'function') throw new Error('httpool/testing did not load');
const res = await get(process.env.HTTPOOL_TEST_URL);
console.log(res.statusCode, await res.body.text());
`,
  );
  assert.equal(await request('esm.mjs', '/esm'), '200 hello /esm\n');
});

test('CommonJS: require from a .cjs file loads the module instance import loads (one default Transport)', T, async () => {
  await writeFile(
    join(app, 'cjs.cjs'),
    `const assert = require('node:assert/strict');
const httpool = require('httpool');
assert.equal(typeof require('httpool/testing').MockTransport, 'function', 'require(httpool/testing)');
assert.match(require.resolve('httpool'), /node_modules[\\\\/]httpool[\\\\/]dist[\\\\/]src[\\\\/]index\\.js$/);
(async () => {
  const imported = await import('httpool');
  assert.equal(imported, httpool, 'require and import give the same module namespace');
  assert.equal(imported.defaultClient, httpool.defaultClient);
  assert.equal(imported.defaultClient.transport, httpool.defaultClient.transport);
  const res = await httpool.get(process.env.HTTPOOL_TEST_URL);
  console.log(res.statusCode, await res.body.text());
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
`,
  );
  assert.equal(await request('cjs.cjs', '/cjs'), '200 hello /cjs\n');
});

/**
 * Writes `sources` into app/<dir> with a tsconfig of its own (strict; httpool's .d.ts checked
 * too, skipLibCheck off, as TypeScript's default is; @types/node from the link) and compiles
 * them with the checkout's tsc into app/out-<dir>.
 */
async function compile(dir: string, module: string, moduleResolution: string, sources: Record<string, string>): Promise<void> {
  await mkdir(join(app, dir));
  const compilerOptions = {
    target: 'ES2022',
    module,
    moduleResolution,
    strict: true,
    skipLibCheck: false,
    types: ['node'],
    rootDir: dir,
    outDir: `out-${dir}`,
  };
  await writeFile(join(app, `tsconfig.${dir}.json`), JSON.stringify({ compilerOptions, include: [dir] }, null, 2));
  for (const [name, text] of Object.entries(sources)) await writeFile(join(app, dir, name), text);
  ok(await run(process.execPath, [TSC, '-p', `tsconfig.${dir}.json`], { cwd: app, ms: 30_000 }), `tsc (${dir})`);
}

/**
 * What every TypeScript program does with its `res`: typed results, and one call the types must
 * refuse (were httpool's types missing and everything `any`, the @ts-expect-error would be unused).
 */
function useResponse(indent: string): string {
  return [
    'const status: number = res.statusCode;',
    'const text: string = await res.body.text();',
    'console.log(status, text);',
    '// @ts-expect-error: a URL is a string or a URL, not a number',
    "if (text === '') await httpool.get(42);",
  ]
    .map((line) => indent + line + '\n')
    .join('');
}

test('TypeScript, module/moduleResolution nodenext (strict): an .mts that imports and a .cts that requires', T, async () => {
  await compile('nodenext', 'nodenext', 'nodenext', {
    'main.mts': `import * as httpool from 'httpool';
import { get, type Response } from 'httpool';
import { MockTransport, startTestServer } from 'httpool/testing';
void [new MockTransport().on({ path: /x/ }).reply(200, { a: 1 }), startTestServer, httpool.Response.from({ statusCode: 201, body: 'x' })];
// @ts-expect-error: a Response is made with Response.from, its constructor is not public
void (() => new httpool.Response({}));
const res: Response = await get(process.env['HTTPOOL_TEST_URL']!);
${useResponse('')}`,
    'main.cts': `import httpool = require('httpool');
import assert = require('node:assert/strict');
async function main(): Promise<void> {
  const imported = await import('httpool');
  assert.equal(imported.defaultClient, httpool.defaultClient, 'require and import give one module instance');
  const res: httpool.Response = await httpool.get(process.env['HTTPOOL_TEST_URL']!);
${useResponse('  ')}}
main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
`,
  });
  assert.equal(await request('out-nodenext/main.mjs', '/nodenext-mts'), '200 hello /nodenext-mts\n');
  assert.equal(await request('out-nodenext/main.cjs', '/nodenext-cts'), '200 hello /nodenext-cts\n');
});

test('TypeScript, module esnext with moduleResolution bundler (strict)', T, async () => {
  await compile('bundler', 'esnext', 'bundler', {
    'main.ts': `import * as httpool from 'httpool';
import { Client, type Response } from 'httpool';
const client = new Client({ timeout: 10_000 });
const res: Response = await client.get(process.env['HTTPOOL_TEST_URL']!);
${useResponse('')}`,
  });
  assert.equal(await request('out-bundler/main.js', '/bundler'), '200 hello /bundler\n');
});

test('the installed bin: node_modules/.bin/httpool get URL', T, async () => {
  const bin = join(app, 'node_modules', '.bin', 'httpool');
  const r = await run(bin, ['get', `${server.url}/bin`], { cwd: app, ms: 15_000 });
  assert.equal(ok(r, 'httpool get'), 'hello /bin');
  assert.ok(seen.includes('/bin'));
});

test('httpool/otel: import httpool never loads @opentelemetry/api; httpool/otel needs it (an optional peer) and works with it', T, async () => {
  // Without the peer: the main entry works, and only httpool/otel fails, naming what is missing.
  await writeFile(
    join(app, 'no-otel.mjs'),
    `import { get } from 'httpool';
const res = await get(process.env.HTTPOOL_TEST_URL);
console.log(res.statusCode, await res.body.text());
await import('httpool/otel').then(() => console.log('loaded'), (e) => console.log(e.code, /@opentelemetry\\/api/.test(e.message)));
`,
  );
  assert.equal(await request('no-otel.mjs', '/no-otel'), '200 hello /no-otel\nERR_MODULE_NOT_FOUND true\n');
  // With it (as a project that uses OpenTelemetry has it): the instrumentation loads, from ESM
  // and CommonJS, and its types compile under nodenext.
  await mkdir(join(app, 'node_modules', '@opentelemetry'), { recursive: true });
  await symlink(join(ROOT, 'node_modules', '@opentelemetry', 'api'), join(app, 'node_modules', '@opentelemetry', 'api'), 'dir');
  await compile('otel', 'nodenext', 'nodenext', {
    'main.mts': `import { get } from 'httpool';
import { HttpoolInstrumentation, type HttpoolInstrumentationConfig } from 'httpool/otel';
const config: HttpoolInstrumentationConfig = { ignoreRequestHook: (req) => req.method === 'OPTIONS' };
const instrumentation = new HttpoolInstrumentation(config);
const res = await get(process.env['HTTPOOL_TEST_URL']!);
console.log(instrumentation.instrumentationName, res.statusCode, await res.body.text());
instrumentation.disable();
`,
    'main.cts': `const { HttpoolInstrumentation } = require('httpool/otel') as typeof import('httpool/otel');
console.log(typeof new HttpoolInstrumentation({ enabled: false }).enable);
`,
  });
  assert.equal(await request('out-otel/main.mjs', '/otel'), 'httpool 200 hello /otel\n');
  const cjs = await run(process.execPath, [join(app, 'out-otel', 'main.cjs')], { cwd: app, ms: 15_000 });
  assert.equal(ok(cjs, 'require(httpool/otel)'), 'function\n');
});
