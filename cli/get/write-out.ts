// -w FORMAT and --json: curl's write-out variables (%{http_code}, %{time_total}…), its escapes
// (\n, \r, \t; %% for a percent sign) and %header{name}, plus httpool's own %{reused} and
// %{conn_id}. --json (and %{json}) prints every variable as one JSON object. Printed after the
// body, on success and on failure alike (then http_code is 000 and exitcode says why), as curl.

import { readFile } from 'node:fs/promises';
import { cannotRead, EXIT } from './exit-codes.js';
import type { Meter } from './meter.js';

export interface Outcome {
  meter: Meter;
  /** The URL as given on the command line. */
  url: string;
  method: string;
  exitCode: number;
  /** The failure's message, '' on success. */
  errorMessage: string;
}

type Value = string | number | boolean | null;

/** curl's http_version: "1.1", "2", "1.0"; "0" without a response. */
function httpVersion(proto: string | undefined): string {
  if (proto === undefined) return '0';
  const v = proto.replace(/^HTTP\//, '');
  return v === '2.0' ? '2' : v;
}

/** Bytes of the response head as it is known here: status line and fields, CRLFs included. */
function headSize(meter: Meter): number {
  const res = meter.response;
  if (res === null) return 0;
  let size = `${res.proto} ${res.status}\r\n`.length + 2;
  for (const [name, value] of res.headers) size += name.length + 2 + Buffer.byteLength(value) + 2;
  return size;
}

/** Every variable by curl's name, in curl's JSON order where curl has one. */
export function variables(o: Outcome): Record<string, Value> {
  const { meter } = o;
  const res = meter.response;
  const t = meter.times();
  const remote = res?.remoteAddress ?? null;
  const local = res?.localAddress ?? null;
  const final = res?.request.url ?? null;
  const location = res !== null && res.statusCode >= 300 && res.statusCode < 400 ? res.headers.get('location') : null;
  return {
    content_type: res?.headers.get('content-type') ?? null,
    errormsg: o.errorMessage === '' ? null : o.errorMessage,
    exitcode: o.exitCode,
    http_code: res?.statusCode ?? 0,
    http_version: httpVersion(res?.proto),
    local_ip: local?.address ?? '',
    local_port: local?.port ?? 0,
    method: res?.request.method ?? o.method,
    num_connects: meter.connects,
    num_headers: res === null ? 0 : [...res.headers].length,
    num_redirects: meter.redirects,
    redirect_url: location === null || final === null ? null : URL.canParse(location, final.href) ? new URL(location, final).href : location,
    remote_ip: remote?.address ?? '',
    remote_port: remote?.port ?? 0,
    response_code: res?.statusCode ?? 0,
    scheme: (final ?? new URL(o.url)).protocol.replace(':', '').toUpperCase(),
    size_download: meter.downloaded,
    size_header: headSize(meter),
    size_upload: meter.uploaded,
    speed_download: t.total > 0 ? Math.round(meter.downloaded / t.total) : 0,
    speed_upload: t.total > 0 ? Math.round(meter.uploaded / t.total) : 0,
    time_appconnect: t.appconnect,
    time_connect: t.connect,
    time_namelookup: t.namelookup,
    time_pretransfer: t.pretransfer,
    time_redirect: t.redirect,
    time_starttransfer: t.starttransfer,
    time_total: t.total,
    url: o.url,
    url_effective: (final ?? new URL(o.url)).href,
    // httpool's own: which pooled connection served the final hop, and whether it was reused.
    reused: meter.reused,
    conn_id: meter.connId,
  };
}

/** One variable as -w prints it: times with six decimals and codes with three digits, as curl. */
function text(name: string, v: Value): string {
  if (v === null) return '';
  if (name.startsWith('time_') && typeof v === 'number') return v.toFixed(6);
  if ((name === 'http_code' || name === 'response_code') && typeof v === 'number') return String(v).padStart(3, '0');
  return String(v);
}

export function toJson(o: Outcome): string {
  return JSON.stringify(variables(o));
}

/**
 * Renders FORMAT. An unknown variable prints nothing and a warning, as curl does. Escapes
 * follow curl's: a backslash before n, r or t is that character; any other is printed as is.
 */
export function renderWriteOut(format: string, o: Outcome, warn: (message: string) => void): string {
  const vars = variables(o);
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c === '\\' && i + 1 < format.length && 'nrt'.includes(format[i + 1]!)) {
      out += { n: '\n', r: '\r', t: '\t' }[format[++i] as 'n' | 'r' | 't'];
      continue;
    }
    if (c !== '%') {
      out += c;
      continue;
    }
    if (format[i + 1] === '%') {
      out += '%';
      i++;
      continue;
    }
    const header = /^%header\{([^}]*)\}/.exec(format.slice(i));
    if (header !== null) {
      out += o.meter.response?.headers.values(header[1]!).join(', ') ?? '';
      i += header[0].length - 1;
      continue;
    }
    const variable = /^%\{([^}]*)\}/.exec(format.slice(i));
    if (variable === null) {
      out += c;
      continue;
    }
    const name = variable[1]!;
    i += variable[0].length - 1;
    if (name === 'json') out += JSON.stringify(vars);
    else if (Object.hasOwn(vars, name)) out += text(name, vars[name]!);
    else warn(`unknown --write-out variable: '${name}'`);
  }
  return out;
}

/** -w's format: `@FILE` (`@-` for stdin) read now, before any socket opens (unreadable: curl's 26). */
export async function writeOutFormat(writeOut: string | null): Promise<string | null> {
  if (writeOut === null || !writeOut.startsWith('@')) return writeOut;
  const path = writeOut.slice(1);
  try {
    return (await readFile(path === '-' ? '/dev/stdin' : path)).toString();
  } catch (err) {
    throw cannotRead(EXIT.readError, '-w', path, err);
  }
}
