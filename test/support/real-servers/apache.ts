// Apache httpd with the event MPM, from a minimal config of our own (Debian's /etc/apache2 is
// not used, and no service is started): Debian's keep-alive defaults (KeepAliveTimeout 5,
// MaxKeepAliveRequests 100) unless a test shortens them, HTTP/1.1 on one port and TLS with
// HTTP/2 (mod_http2) on another. POSTs go to mod_reflector (it answers with the body) and are
// counted in the access log; /cgi/slow?s=N holds a worker for N seconds (mod_cgid), which is how
// a test makes every worker busy.

import { readFileSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { certificates } from '../peers.js';
import { AS_ROOT, freePort, launch, serverDir, SERVER_BINARIES } from './launch.js';
import { postIds, type RealServer } from './server.js';

const MODULES = '/usr/lib/apache2/modules';

export interface ApacheOptions {
  /** KeepAliveTimeout, ms (Apache takes a "ms" suffix). Debian: 5000. */
  keepAliveMs?: number;
  /** MaxKeepAliveRequests. Debian: 100. */
  maxKeepAliveRequests?: number;
  /** Worker threads in the one child process (ThreadsPerChild = MaxRequestWorkers). */
  workers?: number;
}

export async function apache(opts: ApacheOptions = {}): Promise<RealServer & { slowPath(seconds: number): string }> {
  const keepAliveMs = opts.keepAliveMs ?? 5000;
  const maxRequests = opts.maxKeepAliveRequests ?? 100;
  const workers = opts.workers ?? 25;
  const c = certificates();
  const dir = serverDir('apache');
  const [http, https] = [await freePort(), await freePort()];
  mkdirSync(join(dir, 'www'));
  writeFileSync(join(dir, 'www', 'hello'), 'hello');
  mkdirSync(join(dir, 'cgi'));
  const slow = join(dir, 'cgi', 'slow');
  // QUERY_STRING is "s=N"; sleep takes fractions of a second.
  writeFileSync(slow, '#!/bin/sh\nsleep "${QUERY_STRING#s=}"\nprintf "Content-Type: text/plain\\r\\n\\r\\nslow"\n');
  chmodSync(slow, 0o755);
  const load = (name: string, file: string): string => `LoadModule ${name}_module ${MODULES}/mod_${file}.so`;
  const conf = `
ServerRoot ${dir}
ServerName localhost
PidFile ${dir}/httpd.pid
Mutex file:${dir} default
ErrorLog ${dir}/error.log
LogLevel warn
${load('mpm_event', 'mpm_event')}
${load('authz_core', 'authz_core')}
${load('alias', 'alias')}
${load('cgid', 'cgid')}
${load('reflector', 'reflector')}
${load('ssl', 'ssl')}
${load('socache_shmcb', 'socache_shmcb')}
${load('http2', 'http2')}
${AS_ROOT ? 'User nobody\nGroup nogroup' : ''}
Listen 127.0.0.1:${http}
Listen 127.0.0.1:${https} https
StartServers 1
ServerLimit 1
ThreadLimit ${workers}
ThreadsPerChild ${workers}
MaxRequestWorkers ${workers}
MinSpareThreads 1
MaxSpareThreads ${workers}
KeepAlive On
KeepAliveTimeout ${keepAliveMs}ms
MaxKeepAliveRequests ${maxRequests}
ScriptSock ${dir}/cgid.sock
DocumentRoot ${dir}/www
LogFormat "%m %U%q %>s %k %H" race
CustomLog ${dir}/access.log race
<Directory />
  Require all granted
</Directory>
ScriptAlias /cgi/ ${dir}/cgi/
<Location /post>
  SetHandler reflector
</Location>
SSLSessionCache shmcb:${dir}/ssl_scache(512000)
<VirtualHost 127.0.0.1:${https}>
  SSLEngine on
  SSLCertificateFile ${c.serverCert}
  SSLCertificateKeyFile ${c.serverKey}
  Protocols h2 http/1.1
</VirtualHost>
`;
  const confFile = join(dir, 'httpd.conf');
  writeFileSync(confFile, conf);
  const p = await launch(SERVER_BINARIES.apache2, ['-f', confFile, '-DFOREGROUND'], dir, [http, https], { logFiles: [join(dir, 'error.log')] });
  return {
    name: 'apache',
    http: `http://127.0.0.1:${http}`,
    https: `https://localhost:${https}`,
    idleMs: keepAliveMs,
    maxRequests,
    getPath: '/hello',
    postPath: (id) => `/post?id=${id}`,
    postStatus: 200,
    slowPath: (seconds) => `/cgi/slow?s=${seconds}`,
    async finish() {
      await p.stop();
      const ids = postIds(readFileSync(join(dir, 'access.log'), 'utf8'), /^POST \/post\?id=(\S+)/gm);
      p.remove();
      return ids;
    },
  };
}
