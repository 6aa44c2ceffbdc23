// The nginx configuration the bench generates (into a temp dir, with every path nginx writes
// pointing into it, so nothing outside is touched and no root-owned default is needed).
// One process (master_process off, worker_processes 1) so `taskset` pins all of nginx to one
// core; connections that stay open for the whole run (huge keepalive_requests and timeout);
// no access log; answers that cost nginx as little as it allows:
//   /small  `return 200` of the 100-byte body (no file I/O);
//   /1mib   a static 1 MiB file, sent with sendfile on plain TCP (SSL_write over TLS);
//   /post   `return 200 "ok"`: nginx reads the request body and drops it (its discard path),
//           so keep-alive framing holds; checked with pipelined 4 KiB POSTs on one connection.
//   /nginx_status  stub_status, the connection and request counters bench/nginx.ts reads.
// The h2 listener allows 512 concurrent streams per session (one session carries any row's
// concurrency); a second h2 listener allows 128 (the h2-c256 row).

import { SMALL_BODY, POST_ANSWER } from './bodies.js';

export interface NginxPorts {
  http: number;
  /** The same paths with `tcp_nopush off`. */
  httpNoPush: number;
  https: number | null;
  h2: number | null;
  /** HTTP/2 with http2_max_concurrent_streams 128 (h2-c256). */
  h2Max128: number | null;
}

export interface NginxConfigInput {
  dir: string;
  ports: NginxPorts;
  tls: { keyPath: string; certPath: string } | null;
}

function locations(): string {
  return `
    location = /small { default_type application/octet-stream; return 200 "${SMALL_BODY.toString('latin1')}"; }
    location = /1mib { default_type application/octet-stream; }
    location = /post { client_body_buffer_size 16k; default_type application/octet-stream; return 200 "${POST_ANSWER.toString('latin1')}"; }
    location = /nginx_status { stub_status; }
    location / { return 404; }`;
}

export function nginxConfig({ dir, ports, tls }: NginxConfigInput): string {
  const server = (listen: string, extra = ''): string => `
  server {
    listen ${listen};
    root ${dir}/www;${extra}${locations()}
  }`;
  const tlsExtra =
    tls === null
      ? ''
      : `
    ssl_certificate ${tls.certPath};
    ssl_certificate_key ${tls.keyPath};
    ssl_protocols TLSv1.2 TLSv1.3;`;
  const servers = [server(`127.0.0.1:${ports.http} backlog=4096`), server(`127.0.0.1:${ports.httpNoPush} backlog=4096`, '\n    tcp_nopush off;')];
  if (tls !== null && ports.https !== null) servers.push(server(`127.0.0.1:${ports.https} ssl backlog=4096`, tlsExtra));
  // nginx 1.22 syntax: http2 on the listen line. Its ALPN also accepts http/1.1, so every
  // client of the h2 row checks it got h2 (a fallback counts as an error).
  if (tls !== null && ports.h2 !== null) servers.push(server(`127.0.0.1:${ports.h2} ssl http2 backlog=4096`, tlsExtra));
  // The h2-c256 row's server: SETTINGS_MAX_CONCURRENT_STREAMS 128 (nginx's own default; Go's
  // server says 250), so 256 requests at once need at least 2 sessions.
  if (tls !== null && ports.h2Max128 !== null) {
    servers.push(server(`127.0.0.1:${ports.h2Max128} ssl http2 backlog=4096`, `${tlsExtra}\n    http2_max_concurrent_streams 128;`));
  }
  return `daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 16384;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; multi_accept on; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  keepalive_requests 1000000000;
  keepalive_timeout 3600s;
  http2_max_concurrent_streams 512;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  etag off;
  server_tokens off;
${servers.join('\n')}
}
`;
}
