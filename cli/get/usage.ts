// The --help of `httpool get`, `head` and `post`: curl's flags as curl spells them, what
// httpool does differently (compression, timeouts), and the exit statuses.

import { EXIT_HELP } from './exit-codes.js';
import type { CommandName } from './options.js';

const SUMMARY: Record<CommandName, string> = {
  get: 'GET a URL and print the response body to stdout, as curl does (raw bytes, no decoration).\nWith -d or -F it POSTs, as curl does.',
  head: 'HEAD a URL and print the status line and header fields to stdout (curl -I).',
  post: 'POST DATA (-d) to a URL and print the response body to stdout, as curl does\n(an empty form body without -d).',
};

export function usage(command: CommandName): string {
  return `usage: httpool ${command} [options] URL

${SUMMARY[command]}
A URL without a scheme gets http://. Redirects are not followed unless -L is given.

request:
  -X, --request METHOD        the method (default: GET; HEAD for head and -I; POST with a body)
  -H, --header 'Name: value'  add a request header field (repeatable); 'Name;' sends it empty,
                              'Name:' sends nothing ('User-Agent:' an empty one, not httpool's)
  -d, --data DATA|@FILE       the request body (implies POST); @FILE reads the file and drops
                              its CR and LF characters, as curl does; repeated values (with the
                              flags below) are joined with '&'. Content-Type is
                              application/x-www-form-urlencoded unless -H sets one
      --data-binary DATA|@FILE  the same, @FILE sent byte for byte and streamed from the file
      --data-raw DATA         the same, a leading @ taken literally
      --data-urlencode [NAME=]CONTENT|[NAME]@FILE  the same, CONTENT percent-encoded
  -G, --get                   send the -d values as the URL's query with GET, not as a body
  -F, --form NAME=VALUE|NAME=@FILE[;type=T][;filename=N]|NAME=<FILE
                              a multipart/form-data part (repeatable, implies POST); @FILE is a
                              file upload, streamed; <FILE sends the file's text as the value
  -u, --user USER:PASSWORD    Basic authentication
  -A, --user-agent TEXT       the User-Agent field

response:
  -i, --include               print the status line and header fields before the body
  -I, --head                  send HEAD and print the status line and header fields
  -o, --output FILE           write the body to FILE (a progress bar on stderr when it is a
                              terminal and -s is not given)
  -f, --fail                  on a status of 400 or above, print no body and exit 22
  -L, --location              follow redirects, at most --max-redirs
      --max-redirs N          the redirect limit for -L (default 10, Go's; curl's is 50); one
                              more is exit 47
  -s, --silent                no progress bar, no error message (the exit status still says)
  -S, --show-error            with -s, print error messages all the same
      --compressed            accepted for curl's sake, and always in effect: httpool asks for
                              gzip, deflate and br and decodes the body (Go's rule) unless -H
                              sets Accept-Encoding, in which case the body is passed on as sent
  -w, --write-out FORMAT|@FILE  print FORMAT to stdout after the body, with curl's variables:
                              %{http_code} %{http_version} %{method} %{url} %{url_effective}
                              %{num_redirects} %{redirect_url} %{content_type} %{remote_ip}
                              %{remote_port} %{local_ip} %{local_port} %{num_connects}
                              %{size_download} (the body as decoded; curl counts it as sent)
                              %{size_upload} %{size_header} (the final head as parsed)
                              %{speed_download} %{time_namelookup} %{time_connect}
                              %{time_appconnect} %{time_pretransfer} %{time_starttransfer}
                              %{time_redirect} %{time_total} (seconds from the start,
                              cumulative) %{exitcode} %{errormsg} %header{NAME} %{json};
                              and httpool's %{reused} (true/false) and %{conn_id} (the pooled
                              connection's number); \\n \\r \\t and %% as in curl
      --json                  print all those variables as one JSON object line after the body
                              (add -o /dev/null for the object alone). Not curl's --json, which
                              sends a JSON body: use -d @FILE -H 'Content-Type: application/json'

connection:
  -k, --insecure              do not verify the server's certificate
      --cacert FILE           trust the CA certificates in FILE (PEM) instead of the system's
  -E, --cert FILE             client certificate (PEM); its key from --key or from FILE itself
      --key FILE              the client certificate's private key (PEM)
  -x, --proxy URL             through this proxy: http://, https://, socks5:// (names resolved
                              here), socks5h:// (resolved by the proxy); no scheme means http://.
                              Without -x, HTTP_PROXY/HTTPS_PROXY/NO_PROXY apply (Go's rules)
  -U, --proxy-user USER:PASSWORD  the proxy's credentials (Basic, or SOCKS5 username/password)
      --unix-socket PATH      connect to this Unix domain socket; the URL gives Host and path
      --http1.1               HTTP/1.1 only
      --http2                 offer HTTP/2 over TLS (the default; http:// stays HTTP/1.1, as
                              there is no Upgrade to h2c)
      --http2-prior-knowledge speak HTTP/2 to an http:// server without asking (h2c)
  -m, --max-time SECONDS      limit for each whole exchange, body included (fractions allowed;
                              0 = none; default 30 s, unlike curl's none)
      --timeout MS            the same in milliseconds
      --connect-timeout SECONDS  limit for the TCP connect, and again for the TLS handshake

httpool:
  -v, --verbose               trace to stderr: name resolution, connect, TLS, which connection
                              (new, or reused and how long it sat idle), the request (> ) and
                              response (< ) heads, and the time of each phase in ms
      --repeat N              send the request N times in a row over one connection pool, then
                              print to stderr how many connections were opened and reused
                              (default 1)
      --debug                 print the stack with an error
  -h, --help                  print this help

${EXIT_HELP}`;
}
