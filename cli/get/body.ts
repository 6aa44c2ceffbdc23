// The request body from curl's flags: -d/--data-binary/--data-raw/--data-urlencode values
// joined with '&' in the order given, or -F parts as multipart/form-data through FormData.
// Files named by these flags are read here, before any socket opens, so a missing file is
// curl's exit 26 with nothing sent. A lone `--data-binary @FILE` and `-F name=@FILE` parts are
// Blobs over the file (fs.openAsBlob): streamed as the request is written, never read whole,
// with their size known up front (Content-Length, as curl sends).

import { openAsBlob } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { BodyInit } from '../../src/index.js';
import { UsageError } from '../io.js';
import { cannotRead, EXIT, type ExitError } from './exit-codes.js';
import type { DataItem } from './options.js';

export interface PlannedBody {
  body: BodyInit;
  /** curl's default Content-Type for this body when -H sets none; null when the body has its own (FormData). */
  contentType: string | null;
}

const FORM_URLENCODED = 'application/x-www-form-urlencoded';

/** curl's `@-`: standard input, read through its device file (Linux and macOS both have it). */
const pathOf = (at: string): string => (at === '-' ? '/dev/stdin' : at);

const readError = (flag: string, path: string, err: unknown): ExitError => cannotRead(EXIT.readError, flag, path, err);

async function readLocal(flag: string, path: string): Promise<Buffer> {
  try {
    return await readFile(pathOf(path));
  } catch (err) {
    throw readError(flag, path, err);
  }
}

/** As curl's --data-urlencode: everything but RFC 3986's unreserved characters is %XX, a space is '+'. */
function urlencode(bytes: Buffer | string): string {
  return encodeURIComponent(bytes.toString())
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** --data-urlencode's forms: `content`, `=content`, `name=content`, `@file`, `name@file`. */
async function urlencoded(value: string): Promise<string> {
  const eq = value.indexOf('=');
  const at = value.indexOf('@');
  if (at >= 0 && (eq < 0 || at < eq)) {
    const name = value.slice(0, at);
    const content = urlencode(await readLocal('--data-urlencode', value.slice(at + 1)));
    return name === '' ? content : `${name}=${content}`;
  }
  if (eq < 0) return urlencode(value);
  const name = value.slice(0, eq);
  const content = urlencode(value.slice(eq + 1));
  return name === '' ? content : `${name}=${content}`;
}

async function dataPart(item: DataItem): Promise<Buffer> {
  const { kind, value } = item;
  if (kind === 'data-raw') return Buffer.from(value);
  if (kind === 'data-urlencode') return Buffer.from(await urlencoded(value));
  if (!value.startsWith('@')) return Buffer.from(value);
  const bytes = await readLocal(`--${kind}`, value.slice(1));
  // -d @file drops every CR and LF, as curl does (a form body typed in an editor ends with a
  // newline nobody meant to send); --data-binary sends the bytes unchanged.
  return kind === 'data' ? Buffer.from(bytes.filter((b) => b !== 0x0d && b !== 0x0a)) : bytes;
}

/** A file as a Blob read while it is sent; a missing or unreadable file fails now, as curl's 26. */
async function fileBlob(flag: string, path: string, type: string): Promise<Blob> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    return await openAsBlob(path, { type });
  } catch (err) {
    throw readError(flag, path, err);
  }
}

/** The data values read and joined with '&', in the order given. */
async function joinedData(items: readonly DataItem[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const [i, item] of items.entries()) {
    if (i > 0) parts.push(Buffer.from('&'));
    parts.push(await dataPart(item));
  }
  return Buffer.concat(parts);
}

async function dataBody(items: readonly DataItem[]): Promise<PlannedBody> {
  const only = items.length === 1 ? items[0]! : null;
  if (only !== null && only.kind === 'data-binary' && only.value.startsWith('@') && only.value !== '@-') {
    return { body: await fileBlob('--data-binary', only.value.slice(1), ''), contentType: FORM_URLENCODED };
  }
  return { body: await joinedData(items), contentType: FORM_URLENCODED };
}

/** curl's -G: the data values become the URL's query (appended to one it has), not a body. */
export async function withQuery(url: string, items: readonly DataItem[]): Promise<string> {
  const query = (await joinedData(items)).toString();
  const u = new URL(url);
  u.search = u.search === '' ? query : `${u.search.slice(1)}&${query}`;
  return u.href;
}

/** curl's guesses from a file name's extension (lib/mime.c); anything else is application/octet-stream. */
const TYPES: Record<string, string> = {
  gif: 'image/gif', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', svg: 'image/svg+xml',
  txt: 'text/plain', htm: 'text/html', html: 'text/html', pdf: 'application/pdf', xml: 'application/xml',
};

function guessType(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 ? TYPES[name.slice(dot + 1).toLowerCase()] : undefined) ?? 'application/octet-stream';
}

/** `-F name=value`, `-F name=@path[;type=T][;filename=N]`, `-F name=<path` (the file's text as the value). */
async function appendPart(form: FormData, spec: string): Promise<void> {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`-F needs name=value, name=@file or name=<file, got ${JSON.stringify(spec)}`);
  const name = spec.slice(0, eq);
  const value = spec.slice(eq + 1);
  if (value.startsWith('<')) {
    form.append(name, (await readLocal('-F', value.slice(1))).toString());
    return;
  }
  if (!value.startsWith('@')) {
    form.append(name, value);
    return;
  }
  const [path = '', ...params] = value.slice(1).split(';');
  let type: string | null = null;
  let filename = basename(path);
  for (const p of params) {
    const [key = '', ...rest] = p.split('=');
    if (key.trim() === 'type') type = rest.join('=').trim();
    else if (key.trim() === 'filename') filename = rest.join('=').trim();
    else throw new UsageError(`-F: unknown parameter ${JSON.stringify(p)} (type= and filename= are supported)`);
  }
  const blob = await fileBlob('-F', path, type ?? guessType(path));
  form.append(name, blob, filename);
}

/** The body the flags describe, or null for none. */
export async function planBody(data: readonly DataItem[], formSpecs: readonly string[], method: string, command: string): Promise<PlannedBody | null> {
  if (formSpecs.length > 0) {
    const form = new FormData();
    for (const spec of formSpecs) await appendPart(form, spec);
    return { body: form, contentType: null };
  }
  if (data.length > 0) return dataBody(data);
  // `httpool post URL` without -d has always sent an empty form body; keep it so.
  if (command === 'post' && method === 'POST') return { body: Buffer.alloc(0), contentType: FORM_URLENCODED };
  return null;
}
