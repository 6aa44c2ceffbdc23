// lighttpd from a config of our own: HTTP/1.1 on one port, TLS with HTTP/2 (on by default since
// 1.4.59) on another, a short idle limit (server.max-keep-alive-idle, whole seconds) and a
// per-connection request limit (server.max-keep-alive-requests). POSTs go to a CGI script that
// reads the body (a POST to a static file is answered without reading it, and lighttpd then
// closes the connection, which would hide the race); the access log records each one, which is
// what the tests count.

import { chmodSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { certificates } from '../peers.js';
import { freePort, launch, serverDir, SERVER_BINARIES } from './launch.js';
import { postIds, type RealServer } from './server.js';

export async function lighttpd(opts: { idleSeconds: number; maxRequests: number }): Promise<RealServer> {
  const c = certificates();
  const dir = serverDir('lighttpd');
  const [http, https] = [await freePort(), await freePort()];
  mkdirSync(join(dir, 'www'));
  writeFileSync(join(dir, 'www', 'hello'), 'hello');
  const cgi = join(dir, 'www', 'post.sh');
  writeFileSync(cgi, 'cat >/dev/null\nprintf "Content-Type: text/plain\\r\\n\\r\\nok"\n');
  chmodSync(cgi, 0o755);
  const conf = `
server.modules = ("mod_accesslog", "mod_openssl", "mod_cgi")
cgi.assign = (".sh" => "/bin/sh")
server.document-root = "${dir}/www"
server.bind = "127.0.0.1"
server.port = ${http}
server.pid-file = "${dir}/lighttpd.pid"
server.errorlog = "${dir}/error.log"
server.max-keep-alive-idle = ${opts.idleSeconds}
server.max-keep-alive-requests = ${opts.maxRequests}
accesslog.filename = "${dir}/access.log"
accesslog.format = "%r %s"
$SERVER["socket"] == "127.0.0.1:${https}" {
  ssl.engine = "enable"
  ssl.pemfile = "${c.serverCert}"
  ssl.privkey = "${c.serverKey}"
}
`;
  const confFile = join(dir, 'lighttpd.conf');
  writeFileSync(confFile, conf);
  const p = await launch(SERVER_BINARIES.lighttpd, ['-D', '-f', confFile], dir, [http, https], { logFiles: [join(dir, 'error.log')] });
  return {
    name: 'lighttpd',
    http: `http://127.0.0.1:${http}`,
    https: `https://localhost:${https}`,
    idleMs: opts.idleSeconds * 1000,
    maxRequests: opts.maxRequests,
    getPath: '/hello',
    postPath: (id) => `/post.sh?id=${id}`,
    postStatus: 200,
    async finish() {
      // lighttpd buffers its access log and flushes it on exit.
      await p.stop();
      const log = join(dir, 'access.log');
      const ids = postIds(existsSync(log) ? readFileSync(log, 'utf8') : '', /^POST \/post\.sh\?id=(\S+)/gm);
      p.remove();
      return ids;
    },
  };
}
