// The Location field as the URL it names, for both redirect policies (redirect.ts and
// fetch/redirect.ts). Field values reach httpool as latin1 text, one character per byte; servers
// often send a Location in raw UTF-8 rather than percent-encoded, and parsing those characters
// as they are would encode each byte's latin1 reading (안 → %C3%AC%C2%95%C2%88 instead of
// %EC%95%88). Browsers, Node's fetch and Go (whose strings are the bytes) all arrive at the
// UTF-8 reading.

const NON_ASCII = /[^\x00-\x7f]/;
const ABOVE_LATIN1 = /[^\x00-\xff]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Location's text with its bytes read as UTF-8. Bytes that are not UTF-8 are percent-encoded
 * one by one (what Go's URL parser makes of them), never replaced: the URL keeps every byte.
 */
export function decodeLocation(value: string): string {
  // ASCII (the usual case) and text that is already more than bytes (HTTP/2 may give either)
  // are left as they are.
  if (!NON_ASCII.test(value) || ABOVE_LATIN1.test(value)) return value;
  const bytes = Buffer.from(value, 'latin1');
  try {
    return utf8.decode(bytes);
  } catch {
    let out = '';
    for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    return out;
  }
}
