// Caddy from a Caddyfile of our own: the admin endpoint off, no automatic HTTPS (the test
// certificate instead), its data under the temp directory (XDG_DATA_HOME, HOME), HTTP/1.1 on one
// port and TLS with HTTP/2 on another, and a short idle limit (servers.timeouts.idle). Caddy has
// no per-connection request limit. Every request is in its JSON access log.
// For the HTTP/2 interop matrix (test/h2-interop.test.ts): /echo answers with the request body
// (the {http.request.body} placeholder: Caddy reads it whole into memory), /no-content is a 204,
// and `files` are served by file_server under /static/.

import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { certificates } from '../peers.js';
import { freePort, launch, serverDir, SERVER_BINARIES } from './launch.js';
import { postIds, type RealServer } from './server.js';

export async function caddy(opts: { idleMs: number; files?: Record<string, Buffer> }): Promise<RealServer> {
  const c = certificates();
  const dir = serverDir('caddy');
  const [http, https] = [await freePort(), await freePort()];
  mkdirSync(join(dir, 'www', 'static'), { recursive: true });
  for (const [name, bytes] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, 'www', 'static', name), bytes);
  const site = `
  log {
    output file ${dir}/access.log
    format json
  }
  respond /hello "hello" 200
  respond /post "ok" 200
  respond /echo "{http.request.body}" 200
  respond /no-content 204
  handle /static/* {
    root * ${dir}/www
    file_server
  }
`;
  const conf = `{
  admin off
  auto_https off
  storage file_system ${dir}/data
  servers {
    protocols h1 h2
    timeouts {
      idle ${opts.idleMs}ms
    }
  }
}
http://127.0.0.1:${http} {
  bind 127.0.0.1
${site}
}
https://localhost:${https} {
  bind 127.0.0.1
  tls ${c.serverCert} ${c.serverKey}
${site}
}
`;
  const confFile = join(dir, 'Caddyfile');
  writeFileSync(confFile, conf);
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
  const p = await launch(SERVER_BINARIES.caddy, ['run', '--config', confFile, '--adapter', 'caddyfile'], dir, [http, https], { env });
  return {
    name: 'caddy',
    http: `http://127.0.0.1:${http}`,
    https: `https://localhost:${https}`,
    idleMs: opts.idleMs,
    maxRequests: 0,
    getPath: '/hello',
    postPath: (id) => `/post?id=${id}`,
    postStatus: 200,
    async finish() {
      await p.stop();
      const log = join(dir, 'access.log');
      const ids = postIds(existsSync(log) ? readFileSync(log, 'utf8') : '', /"method":"POST".*?"uri":"\/post\?id=([^"]+)"/g);
      p.remove();
      return ids;
    },
  };
}
