// The command lines of `httpool get`, `head` and `post`: their flags, their --help text, and
// the checks that turn argv into a request plan. Everything wrong with the command line is a
// UsageError here, before any socket opens.

import { readFile } from 'node:fs/promises';
import { intFlag, parseArgs, type FlagSpecs, type FlagValues } from '../args.js';
import { UsageError } from '../io.js';

export type Method = 'GET' | 'HEAD' | 'POST';

export interface GetOptions {
  method: Method;
  url: string;
  /** Header fields in the order given, names as typed. */
  headers: [string, string][];
  /** -d values as given (`@file` not yet read); null when there was no -d. */
  data: string[] | null;
  /** Client timeout in ms; undefined keeps the Client's default. */
  timeout: number | undefined;
  repeat: number;
  fail: boolean;
  location: boolean;
  verbose: boolean;
  help: boolean;
}

const COMMON = {
  header: { kind: 'list', short: 'H' },
  fail: { kind: 'boolean', short: 'f' },
  location: { kind: 'boolean', short: 'L' },
  verbose: { kind: 'boolean', short: 'v' },
  repeat: { kind: 'value' },
  timeout: { kind: 'value' },
  debug: { kind: 'boolean' },
  help: { kind: 'boolean', short: 'h' },
} as const satisfies FlagSpecs;

// Only post takes a body: `get -d` is refused rather than silently turned into a POST.
const WITH_DATA = { ...COMMON, data: { kind: 'list', short: 'd' } } as const satisfies FlagSpecs;

const SUMMARY: Record<Method, string> = {
  GET: 'GET a URL and print the response body to stdout, as curl does (raw bytes, no decoration).',
  HEAD: 'HEAD a URL and print the status line and header fields to stdout.',
  POST: 'POST DATA (-d) to a URL and print the response body to stdout, as curl does.',
};

const DATA_HELP = `  -d, --data DATA|@FILE       the request body; @FILE sends the file's bytes unchanged;
                              repeated -d values are joined with '&' (as curl does).
                              Content-Type is application/x-www-form-urlencoded unless -H sets one
`;

export function usage(method: Method): string {
  const cmd = method.toLowerCase();
  return `usage: httpool ${cmd} [options] URL

${SUMMARY[method]}
A URL without a scheme gets http://. Redirects are not followed unless -L is given.

options:
${method === 'POST' ? DATA_HELP : ''}  -H, --header 'Name: value'  add a request header field (repeatable)
  -f, --fail                  on a status of 400 or above, print no body and exit 22
  -L, --location              follow redirects (at most 10)
  -v, --verbose               trace to stderr: name resolution, connect, TLS, which connection
                              (new, or reused and how long it sat idle), the request (> ) and
                              response (< ) heads, and the time of each phase in ms
      --repeat N              send the request N times in a row over one connection pool, then
                              print to stderr how many connections were opened and reused
                              (default 1)
      --timeout MS            limit for each whole exchange, body included; 0 = none
                              (default 30000)
      --debug                 print the stack with an error
  -h, --help                  print this help

exit status: 0 for any HTTP response, 22 with --fail and a status of 400 or above,
1 when the request failed (connect, DNS, timeout, protocol), 2 for a bad command line.
`;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** curl's `-H 'Name: value'`: the name must be a token; the value is trimmed. */
function headerField(text: string): [string, string] {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  if (colon < 0 || !TOKEN.test(name)) {
    throw new UsageError(`-H needs 'Name: value', got ${JSON.stringify(text)}`);
  }
  return [name, text.slice(colon + 1).trim()];
}

/**
 * A bare host (`localhost:8080/x`) gets http://, as in curl. A URL that cannot be sent is a
 * command-line mistake (exit 2), not a failed request.
 */
function checkUrl(text: string): string {
  const url = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  // The password stays out of the message, as it does in the library's own errors.
  if (!URL.canParse(url)) throw new UsageError(`invalid URL ${JSON.stringify(text.replace(/(\/\/[^/?#@\s:]*:)[^/?#\s]*@/g, '$1***@'))}`);
  const scheme = new URL(url).protocol;
  if (scheme !== 'http:' && scheme !== 'https:') throw new UsageError(`only http:// and https:// URLs, got ${scheme}//`);
  return url;
}

/** The flags every command shares, plus post's -d values (none for get and head). */
function parseFor(method: Method, argv: readonly string[]): { flags: FlagValues<typeof COMMON>; data: string[]; positionals: string[] } {
  if (method === 'POST') {
    const { flags, positionals } = parseArgs(argv, WITH_DATA);
    return { flags, data: flags.data, positionals };
  }
  return { ...parseArgs(argv, COMMON), data: [] };
}

export function parseGetArgs(method: Method, argv: readonly string[]): GetOptions {
  const { flags, data, positionals } = parseFor(method, argv);
  const opts: GetOptions = {
    method,
    url: '',
    headers: [],
    data: data.length > 0 ? data : null,
    timeout: undefined,
    repeat: 1,
    fail: flags.fail,
    location: flags.location,
    verbose: flags.verbose,
    help: flags.help,
  };
  // --help answers even when the rest of the line is unfinished (the user is asking how).
  if (opts.help) return opts;
  opts.headers = flags.header.map(headerField);
  opts.timeout = intFlag('timeout', flags.timeout, 0);
  opts.repeat = intFlag('repeat', flags.repeat, 1) ?? 1;
  if (positionals.length === 0) throw new UsageError('missing URL');
  if (positionals.length > 1) throw new UsageError(`one URL at a time, got ${positionals.length}: ${positionals.join(' ')}`);
  opts.url = checkUrl(positionals[0]!);
  return opts;
}

/** The -d values as one body: `@file` read as bytes (a missing file is a usage error), then joined with '&'. */
export async function loadData(data: readonly string[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const [i, d] of data.entries()) {
    if (i > 0) parts.push(Buffer.from('&'));
    if (d.startsWith('@')) {
      try {
        parts.push(await readFile(d.slice(1)));
      } catch (err) {
        throw new UsageError(`-d ${d}: cannot read ${d.slice(1)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
    } else {
      parts.push(Buffer.from(d));
    }
  }
  return Buffer.concat(parts);
}
