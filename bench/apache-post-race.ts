// The POST race against Apache, counted: how many POSTs fail because Apache closed the
// kept-alive connection they were written to, with no GET failing and no POST reaching Apache
// twice. Two shapes:
//   --shape busy  every worker busy: the event MPM drops its idle keep-alive connections all at
//                 once (test/support/real-servers/apache-busy.ts makes that happen);
//   --shape idle  KeepAliveTimeout 1 s, waves of requests after gaps drawn around it (0.8-1.2 s).
//
//   node build/bench/apache-post-race.js [--shape busy|idle] [--rounds N] [--wave N] [--runs N]
//                                        [--max-idle MS] [--httpool DIR]
//
// --max-idle sets the Transport's unreplayableMaxIdle (this build's default when absent).
// --httpool takes another build's directory (say the base commit's, /tmp/base-srv/build) and
// drives its Transport instead of this one, so the same load gives a before/after figure. Prints
// one line per run and the sums.

import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { certificates } from '../test/support/peers.js';
import { apache } from '../test/support/real-servers/apache.js';
import { apacheBusyRace, raceRequests, type BusyResult, type MiniClient } from '../test/support/real-servers/apache-busy.js';

interface HttpoolModule {
  Transport: new (opts: object) => { close(): void; stats(): { totals: { requests: number; opened: number; closed: Record<string, number> } } };
  Client: new (opts: object) => MiniClient;
}

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    wave: { type: 'string', default: '8' },
    runs: { type: 'string', default: '3' },
    workers: { type: 'string', default: '4' },
    httpool: { type: 'string' },
    shape: { type: 'string', default: 'busy' },
    'max-idle': { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const wave = Number(values.wave);
const runs = Number(values.runs);
const workers = Number(values.workers);
const shape = values.shape === 'idle' ? 'idle' : 'busy';
const options: Record<string, unknown> = { proxy: null };
if (values['max-idle'] !== undefined) options['unreplayableMaxIdle'] = Number(values['max-idle']);
const modPath = values.httpool === undefined ? new URL('../src/index.js', import.meta.url).href : pathToFileURL(resolve(values.httpool, 'src/index.js')).href;
const httpool = (await import(modPath)) as HttpoolModule;
certificates();

const sum = { gets: 0, getErrors: 0, posts: 0, postFailed: 0, twice: 0, attempts: 0 };
console.log(`httpool: ${modPath}, Transport options ${JSON.stringify(options)}`);
console.log(
  shape === 'busy'
    ? `Apache event MPM, ${workers} workers; ${runs} runs × ${rounds} rounds × ${wave} requests on idle connections while every worker is busy`
    : `Apache event MPM, KeepAliveTimeout 1 s; ${runs} runs × ${rounds} rounds × ${wave} requests after gaps of 0.8-1.2 s`,
);

/** Waves of GETs and POSTs (alternating) after gaps around Apache's 1 s idle limit, drawn evenly from 0.8-1.2 s. */
async function idleRace(origin: string, getPath: string, postPath: (id: string) => string, client: MiniClient, tag: string): Promise<BusyResult> {
  const { result: r, one } = raceRequests({ client, origin, getPath, postPath, tag });
  for (let round = 0; round < rounds; round++) {
    await Promise.all(Array.from({ length: wave }, (_, i) => one(i)));
    await new Promise((res) => setTimeout(res, 800 + Math.random() * 400));
  }
  return r;
}
for (let run = 0; run < runs; run++) {
  const s = shape === 'busy' ? await apache({ workers }) : await apache({ keepAliveMs: 1000 });
  const transport = new httpool.Transport(options);
  const loader = new httpool.Transport({ proxy: null });
  let seen: string[] = [];
  let r;
  try {
    r = shape === 'idle' ? await idleRace(s.http, s.getPath, s.postPath, new httpool.Client({ transport }), `run${run}`) : await apacheBusyRace({
      origin: s.http,
      getPath: s.getPath,
      postPath: s.postPath,
      slowPath: s.slowPath,
      client: new httpool.Client({ transport }),
      loader: new httpool.Client({ transport: loader }),
      workers,
      rounds,
      wave,
      slowSeconds: 0.3,
      tag: `run${run}`,
    });
  } finally {
    transport.close();
    loader.close();
    seen = await s.finish();
  }
  const counts = new Map<string, number>();
  for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
  const twice = [...counts.values()].filter((n) => n > 1).length;
  const st = transport.stats().totals;
  console.log(
    `run ${run + 1}: GET ${r.gets} (failed ${r.getErrors.length}), POST ${r.postsSent.length} (failed ${r.postErrors.length}, reached Apache twice ${twice}), ` +
      `attempts ${st.requests}, connections ${st.opened}, closed ${JSON.stringify(st.closed)}`,
  );
  sum.gets += r.gets;
  sum.getErrors += r.getErrors.length;
  sum.posts += r.postsSent.length;
  sum.postFailed += r.postErrors.length;
  sum.twice += twice;
  sum.attempts += st.requests;
}
const pct = ((100 * sum.postFailed) / Math.max(1, sum.posts)).toFixed(1);
console.log(`total: GET ${sum.gets} (failed ${sum.getErrors}), POST ${sum.posts} (failed ${sum.postFailed} = ${pct}%, reached Apache twice ${sum.twice}), attempts ${sum.attempts}`);
