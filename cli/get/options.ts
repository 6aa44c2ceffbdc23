// The command lines of `httpool get`, `head` and `post`: curl's flags (and httpool's own), and
// the checks that turn argv into a request plan. Everything wrong with the command line is a
// UsageError here (exit 2), a URL that cannot be parsed is curl's 3, all before any socket opens.
// The help text is in usage.ts; files named by flags are read later (body.ts, transport.ts).

import { intFlag, parseArgs, type FlagSpecs } from '../args.js';
import { UsageError } from '../io.js';
import { EXIT, ExitError } from './exit-codes.js';

export type CommandName = 'get' | 'head' | 'post';

/** One request-body value in command-line order, with the flag that gave it. */
export interface DataItem {
  kind: 'data' | 'data-binary' | 'data-raw' | 'data-urlencode';
  value: string;
}

export type HttpVersion = '1.1' | '2' | '2-prior-knowledge';

export interface GetOptions {
  command: CommandName;
  method: string;
  url: string;
  /** Header fields in the order given, names as typed. */
  headers: [string, string][];
  /** -d, --data-binary, --data-raw, --data-urlencode values in the order given. */
  data: DataItem[];
  /** -F values as given. */
  form: string[];
  /** -G: the data values go into the URL's query, and the method is GET (or HEAD with -I). */
  dataInQuery: boolean;
  /** -u user:password. */
  user: string | null;
  /** -i (or -I, or `head`): the response head before the body. */
  include: boolean;
  /** -o FILE; null (or "-") is stdout. */
  output: string | null;
  silent: boolean;
  showError: boolean;
  location: boolean;
  maxRedirects: number;
  insecure: boolean;
  cacert: string | null;
  cert: string | null;
  key: string | null;
  proxy: string | null;
  unixSocket: string | null;
  http: HttpVersion | null;
  /** Whole-exchange limit in ms; undefined keeps the Client's default, 0 = none. */
  timeout: number | undefined;
  /** Connect (TCP, and TLS) limit in ms; undefined keeps the Transport's defaults. */
  connectTimeout: number | undefined;
  /** -w FORMAT (or @FILE, read later). */
  writeOut: string | null;
  json: boolean;
  repeat: number;
  fail: boolean;
  verbose: boolean;
  help: boolean;
}

const SPECS = {
  request: { kind: 'value', short: 'X' },
  header: { kind: 'list', short: 'H' },
  data: { kind: 'list', short: 'd' },
  'data-ascii': { kind: 'list' },
  'data-binary': { kind: 'list' },
  'data-raw': { kind: 'list' },
  'data-urlencode': { kind: 'list' },
  form: { kind: 'list', short: 'F' },
  get: { kind: 'boolean', short: 'G' },
  user: { kind: 'value', short: 'u' },
  'user-agent': { kind: 'value', short: 'A' },
  include: { kind: 'boolean', short: 'i' },
  head: { kind: 'boolean', short: 'I' },
  output: { kind: 'value', short: 'o' },
  silent: { kind: 'boolean', short: 's' },
  'show-error': { kind: 'boolean', short: 'S' },
  fail: { kind: 'boolean', short: 'f' },
  location: { kind: 'boolean', short: 'L' },
  'max-redirs': { kind: 'value' },
  insecure: { kind: 'boolean', short: 'k' },
  cacert: { kind: 'value' },
  cert: { kind: 'value', short: 'E' },
  key: { kind: 'value' },
  proxy: { kind: 'value', short: 'x' },
  'proxy-user': { kind: 'value', short: 'U' },
  'unix-socket': { kind: 'value' },
  'http1.1': { kind: 'boolean' },
  http2: { kind: 'boolean' },
  'http2-prior-knowledge': { kind: 'boolean' },
  // Accepted for curl's sake and ignored: httpool always asks for and decodes gzip/deflate/br.
  compressed: { kind: 'boolean' },
  'max-time': { kind: 'value', short: 'm' },
  'connect-timeout': { kind: 'value' },
  'write-out': { kind: 'value', short: 'w' },
  json: { kind: 'boolean' },
  verbose: { kind: 'boolean', short: 'v' },
  repeat: { kind: 'value' },
  timeout: { kind: 'value' },
  debug: { kind: 'boolean' },
  help: { kind: 'boolean', short: 'h' },
} as const satisfies FlagSpecs;

const DATA_FLAGS: ReadonlySet<string> = new Set(['data', 'data-ascii', 'data-binary', 'data-raw', 'data-urlencode']);

/** Go's and curl's default redirect limit. */
export const DEFAULT_MAX_REDIRECTS = 10;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** curl's `-H 'Name: value'`: the name must be a token; the value is trimmed. `Name;` is an empty field. */
function headerField(text: string): [string, string] {
  if (/^[^:;]+;\s*$/.test(text) && TOKEN.test(text.slice(0, text.indexOf(';')))) return [text.slice(0, text.indexOf(';')), ''];
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  if (colon < 0 || !TOKEN.test(name)) {
    throw new UsageError(`-H needs 'Name: value', got ${JSON.stringify(text)}`);
  }
  return [name, text.slice(colon + 1).trim()];
}

/**
 * curl's `-H 'Name:'` (nothing after the colon) is not sent: in curl it removes a field curl
 * would add itself. User-Agent is kept, empty: that is how httpool is told not to send its own.
 */
function headerFields(texts: readonly string[]): [string, string][] {
  return texts
    .map((text) => ({ text, field: headerField(text) }))
    .filter(({ text, field: [name, value] }) => value !== '' || text.trimEnd().endsWith(';') || name.toLowerCase() === 'user-agent')
    .map(({ field }) => field);
}

/**
 * A bare host (`localhost:8080/x`) gets http://, as in curl. A URL that cannot be parsed is
 * curl's 3; a scheme httpool does not speak is curl's 1 (unsupported protocol).
 */
function checkUrl(text: string): string {
  const url = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  // The password stays out of the message, as it does in the library's own errors.
  if (!URL.canParse(url)) throw new ExitError(EXIT.malformedUrl, `malformed URL ${JSON.stringify(text.replace(/(\/\/[^/?#@\s:]*:)[^/?#\s]*@/g, '$1***@'))}`);
  const scheme = new URL(url).protocol;
  if (scheme !== 'http:' && scheme !== 'https:') throw new ExitError(EXIT.failure, `only http:// and https:// URLs, got ${scheme}//`);
  return url;
}

/** `-x host:3128` means http://host:3128, as in curl; the schemes the Transport can tunnel through. */
function checkProxy(text: string): string {
  const url = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  if (!URL.canParse(url)) throw new UsageError(`-x needs a proxy URL, got ${JSON.stringify(text.replace(/(\/\/[^/?#@\s:]*:)[^/?#\s]*@/g, '$1***@'))}`);
  const scheme = new URL(url).protocol;
  if (!['http:', 'https:', 'socks5:', 'socks5h:'].includes(scheme)) {
    throw new UsageError(`-x supports http://, https://, socks5:// and socks5h:// proxies, got ${scheme}//`);
  }
  return url;
}

/** -U user:password goes into the proxy URL, where the Transport takes proxy credentials from. */
function withProxyUser(proxy: string, user: string | undefined): string {
  if (user === undefined) return proxy;
  const colon = user.indexOf(':');
  if (colon < 0) throw new UsageError('-U needs user:password (httpool does not prompt for a password)');
  const url = new URL(proxy);
  url.username = encodeURIComponent(user.slice(0, colon));
  url.password = encodeURIComponent(user.slice(colon + 1));
  return url.href;
}

/** curl's SECONDS, fractions allowed (`-m 0.5`), as whole milliseconds; 0 = no limit. */
function secondsFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const s = /^\d+(\.\d+)?$|^\.\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isFinite(s)) throw new UsageError(`--${name} needs a number of seconds (0.5, 10), got ${JSON.stringify(value)}`);
  // A positive limit below a millisecond still limits (rather than meaning "none").
  return s === 0 ? 0 : Math.max(1, Math.round(s * 1000));
}

function httpVersion(flags: { 'http1.1': boolean; http2: boolean; 'http2-prior-knowledge': boolean }): HttpVersion | null {
  const chosen: HttpVersion[] = [];
  if (flags['http1.1']) chosen.push('1.1');
  if (flags.http2) chosen.push('2');
  if (flags['http2-prior-knowledge']) chosen.push('2-prior-knowledge');
  if (chosen.length > 1) throw new UsageError('choose one of --http1.1, --http2, --http2-prior-knowledge');
  return chosen[0] ?? null;
}

/**
 * The method as curl picks it: -X wins; -I (or `head`) is HEAD; a body (-d, -F) makes POST;
 * else the command's own. curl refuses a body with -I, and -d with -F, as we do.
 */
function methodFor(command: CommandName, explicit: string | undefined, head: boolean, hasData: boolean, hasForm: boolean): string {
  if (hasData && hasForm) throw new UsageError('-d and -F cannot be combined (one body per request, as in curl)');
  if (explicit !== undefined) {
    if (!TOKEN.test(explicit)) throw new UsageError(`-X needs a method name, got ${JSON.stringify(explicit)}`);
    return explicit;
  }
  const isHead = head || command === 'head';
  if (isHead && (hasData || hasForm)) throw new UsageError('HEAD takes no body: -I (or head) cannot be combined with -d or -F');
  if (isHead) return 'HEAD';
  if (hasData || hasForm || command === 'post') return 'POST';
  return 'GET';
}

export function parseGetArgs(command: CommandName, argv: readonly string[]): GetOptions {
  const { flags, positionals, sequence } = parseArgs(argv, SPECS);
  const data = sequence
    .filter(({ name }) => DATA_FLAGS.has(name))
    // --data-ascii is curl's old name for -d.
    .map(({ name, value }) => ({ kind: (name === 'data-ascii' ? 'data' : name) as DataItem['kind'], value }));
  const opts: GetOptions = {
    command,
    method: 'GET',
    url: '',
    headers: [],
    data,
    form: flags.form,
    dataInQuery: flags.get,
    user: flags.user ?? null,
    // curl's -I shows the head (the body is HEAD's, empty); `head` has always printed it.
    include: flags.include || flags.head || command === 'head',
    output: flags.output === undefined || flags.output === '-' ? null : flags.output,
    silent: flags.silent,
    showError: flags['show-error'],
    location: flags.location,
    maxRedirects: DEFAULT_MAX_REDIRECTS,
    insecure: flags.insecure,
    cacert: flags.cacert ?? null,
    cert: flags.cert ?? null,
    key: flags.key ?? null,
    proxy: null,
    unixSocket: flags['unix-socket'] ?? null,
    http: null,
    timeout: undefined,
    connectTimeout: undefined,
    writeOut: flags['write-out'] ?? null,
    json: flags.json,
    repeat: 1,
    fail: flags.fail,
    verbose: flags.verbose,
    help: flags.help,
  };
  // --help answers even when the rest of the line is unfinished (the user is asking how).
  if (opts.help) return opts;
  opts.headers = headerFields(flags.header);
  if (flags['user-agent'] !== undefined) opts.headers.push(['User-Agent', flags['user-agent']]);
  if (opts.user !== null && !opts.user.includes(':')) {
    // curl would prompt for the password; a command in a script must not wait on a terminal.
    throw new UsageError('-u needs user:password (httpool does not prompt for a password)');
  }
  if (flags.get && opts.form.length > 0) throw new UsageError('-G and -F cannot be combined: a form is a body');
  opts.method = methodFor(command, flags.request, flags.head, data.length > 0 && !flags.get, opts.form.length > 0);
  opts.maxRedirects = intFlag('max-redirs', flags['max-redirs'], 0) ?? DEFAULT_MAX_REDIRECTS;
  opts.proxy = flags.proxy === undefined ? null : withProxyUser(checkProxy(flags.proxy), flags['proxy-user']);
  if (opts.proxy !== null && opts.unixSocket !== null) throw new UsageError('-x and --unix-socket cannot be combined: a Unix socket goes to no proxy');
  if (opts.key !== null && opts.cert === null) throw new UsageError('--key needs --cert');
  opts.http = httpVersion(flags);
  // -m is curl's spelling in seconds; --timeout is httpool's in ms. The last word is -m's.
  opts.timeout = secondsFlag('max-time', flags['max-time']) ?? intFlag('timeout', flags.timeout, 0);
  opts.connectTimeout = secondsFlag('connect-timeout', flags['connect-timeout']);
  opts.repeat = intFlag('repeat', flags.repeat, 1) ?? 1;
  if (positionals.length === 0) throw new UsageError('missing URL');
  if (positionals.length > 1) throw new UsageError(`one URL at a time, got ${positionals.length}: ${positionals.join(' ')}`);
  try {
    opts.url = checkUrl(positionals[0]!);
  } catch (err) {
    if (err instanceof ExitError) err.silenced = opts.silent && !opts.showError;
    throw err;
  }
  return opts;
}
