// The request head last built for a pool key, reused while requests repeat exactly (same
// method, target, Host, header fields and framing): a client polling one URL serializes and
// validates its head once, not once per request. A head that differs in anything is built
// (and so validated) afresh by the writer, which also refuses bad input as before.

import { requestHeadString } from '../h1/write.js';
import type { BodyFraming } from '../h1/types.js';

const NONE: readonly string[] = [];

export class HeadCache {
  #method = '';
  #target = '';
  #host = '';
  #fields: readonly string[] = NONE;
  #framing: BodyFraming = { kind: 'none' };
  #head = '';

  /** The head for these parts, from the cache when they equal the last ones. */
  head(method: string, target: string, host: string, fields: readonly string[], framing: BodyFraming): string {
    if (
      this.#head !== '' &&
      method === this.#method &&
      target === this.#target &&
      host === this.#host &&
      sameFraming(framing, this.#framing) &&
      sameList(fields, this.#fields)
    ) {
      return this.#head;
    }
    const head = requestHeadString(method, target, host, fields, framing);
    this.#method = method;
    this.#target = target;
    this.#host = host;
    // The caller's list is its own, built for this request and never changed afterwards.
    this.#fields = fields;
    this.#framing = framing;
    this.#head = head;
    return head;
  }
}

function sameFraming(a: BodyFraming, b: BodyFraming): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind !== 'length' || a.length === (b as { length: number }).length;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
