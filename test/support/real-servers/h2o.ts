// h2o from a config of our own: HTTP/1.1 on one port, TLS with HTTP/2 on another, short idle
// limits (http1-request-timeout also bounds the wait for the next request on a kept-alive
// connection; http2-idle-timeout), and an mruby handler that reads POST bodies and answers 200.
// h2o has no per-connection request limit. Every request is in its access log.
// For the HTTP/2 interop matrix (test/h2-interop.test.ts): POST /echo answers with the request
// body, /no-content is a 204, and `files` are served statically under /static/.

import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { certificates } from '../peers.js';
import { AS_ROOT, freePort, launch, serverDir, SERVER_BINARIES } from './launch.js';
import { postIds, type RealServer } from './server.js';

export async function h2o(opts: { idleSeconds: number; files?: Record<string, Buffer> }): Promise<RealServer> {
  const c = certificates();
  const dir = serverDir('h2o');
  const [http, https] = [await freePort(), await freePort()];
  mkdirSync(join(dir, 'static'));
  for (const [name, bytes] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, 'static', name), bytes);
  const conf = `
${AS_ROOT ? 'user: nobody' : ''}
error-log: ${dir}/error.log
num-threads: 1
http1-request-timeout: ${opts.idleSeconds}
http2-idle-timeout: ${opts.idleSeconds}
listen:
  host: 127.0.0.1
  port: ${http}
listen:
  host: 127.0.0.1
  port: ${https}
  ssl:
    certificate-file: ${c.serverCert}
    key-file: ${c.serverKey}
hosts:
  default:
    access-log:
      path: ${dir}/access.log
      format: "%r %s"
    paths:
      /static:
        file.dir: ${dir}/static
      /:
        mruby.handler: |
          Proc.new do |env|
            body = env["rack.input"] ? env["rack.input"].read : ""
            case env["PATH_INFO"]
            when "/echo" then [200, {"content-type" => "application/octet-stream"}, [body]]
            when "/no-content" then [204, {}, []]
            else [200, {"content-type" => "text/plain"}, [env["PATH_INFO"] == "/hello" ? "hello" : "ok"]]
            end
          end
`;
  const confFile = join(dir, 'h2o.conf');
  writeFileSync(confFile, conf);
  const p = await launch(SERVER_BINARIES.h2o, ['-c', confFile], dir, [http, https], { logFiles: [join(dir, 'error.log')] });
  return {
    name: 'h2o',
    http: `http://127.0.0.1:${http}`,
    https: `https://localhost:${https}`,
    idleMs: opts.idleSeconds * 1000,
    maxRequests: 0,
    getPath: '/hello',
    postPath: (id) => `/post?id=${id}`,
    postStatus: 200,
    async finish() {
      await p.stop();
      const log = join(dir, 'access.log');
      const ids = postIds(existsSync(log) ? readFileSync(log, 'utf8') : '', /^POST \/post\?id=(\S+)/gm);
      p.remove();
      return ids;
    },
  };
}
