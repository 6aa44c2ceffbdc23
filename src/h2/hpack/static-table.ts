// The HPACK static table (RFC 7541 §2.3.1, Appendix A): 61 entries, index 1 to 61. Dynamic
// entries follow it in the index space from 62 (§2.3.3).
//
// Besides the table itself, two lookups for the encoder, built once at load: a field's exact
// index (name and value) and the first index carrying a name, so encoding a field costs two Map
// lookups and no string building.

// prettier-ignore
const ENTRIES: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'],
  [':path', '/index.html'], [':scheme', 'http'], [':scheme', 'https'], [':status', '200'],
  [':status', '204'], [':status', '206'], [':status', '304'], [':status', '400'],
  [':status', '404'], [':status', '500'], ['accept-charset', ''], ['accept-encoding', 'gzip, deflate'],
  ['accept-language', ''], ['accept-ranges', ''], ['accept', ''], ['access-control-allow-origin', ''],
  ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''],
  ['date', ''], ['etag', ''], ['expect', ''], ['expires', ''],
  ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''],
  ['link', ''], ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''],
  ['proxy-authorization', ''], ['range', ''], ['referer', ''], ['refresh', ''],
  ['retry-after', ''], ['server', ''], ['set-cookie', ''], ['strict-transport-security', ''],
  ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

/** Number of static entries (61); the first dynamic index is STATIC_LENGTH + 1. */
export const STATIC_LENGTH = ENTRIES.length;

/** Names by index; slot 0 is unused (index 0 is not a valid index, §6.1). */
export const STATIC_NAMES: readonly string[] = ['', ...ENTRIES.map((e) => e[0])];
/** Values by index; slot 0 is unused. */
export const STATIC_VALUES: readonly string[] = ['', ...ENTRIES.map((e) => e[1])];

/** What the static table holds for one name: its first index, and the index of each value. */
export interface StaticName {
  readonly index: number;
  readonly values: ReadonlyMap<string, number>;
}

function buildLookup(): ReadonlyMap<string, StaticName> {
  const byName = new Map<string, { index: number; values: Map<string, number> }>();
  for (let i = 1; i <= STATIC_LENGTH; i++) {
    const name = STATIC_NAMES[i]!;
    let e = byName.get(name);
    if (e === undefined) byName.set(name, (e = { index: i, values: new Map() }));
    // Entries such as ':authority' carry no value: an empty value matches them exactly too
    // (RFC 7541 Appendix A lists them with an empty value).
    if (!e.values.has(STATIC_VALUES[i]!)) e.values.set(STATIC_VALUES[i]!, i);
  }
  return byName;
}

/** Static lookup by name, for the encoder. */
export const STATIC_BY_NAME: ReadonlyMap<string, StaticName> = buildLookup();
