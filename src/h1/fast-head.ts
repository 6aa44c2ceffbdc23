// The common case of a response head, fast: the whole head arrived in one read and was decoded
// to one string (parse.ts). One regular expression checks every field line at once (token
// names, a colon, field-value bytes, CRLF ends), then the lines are located with string
// searches, and no field is cut into strings until someone reads the headers (head.ts). Only
// heads that are plainly well-formed pass; anything else (bare LF line ends, obs-fold, a bad
// byte anywhere) is left to the line-by-line parser, which accepts it or says exactly what is
// wrong. So this path can only be faster, never more lenient: for every head it takes, the
// fields are the ones parseFieldLine would have produced (test/h1-fast-head.test.ts; the
// fuzzers feed every generated stream whole, which goes this way, and split, which does not).

/**
 * Field lines (RFC 9110 §5.1 token, ":", §5.5 field-value bytes with OWS, CRLF), any number,
 * then the blank line. The classes exclude CR, LF and ':' where they must, so matching never
 * backtracks more than one step.
 */
const PLAIN_FIELDS = /(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*\r\n)*\r\n/y;

/**
 * Above this, heads go the line-by-line way: the expression's backtrack stack grows with the
 * number of lines, and heads this large are rare enough not to need the fast path.
 */
export const FAST_HEAD_MAX = 16 * 1024;

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * The field lines of text[from, end): from just after the status line to just after the blank
 * line that ends the head. On success appends four offsets per field to `offsets` (name start,
 * name end, value start, value end, OWS trimmed) and returns true; returns false, having
 * appended nothing, when the lines are not plainly well-formed.
 */
export function fastFields(text: string, from: number, headEnd: number, offsets: number[]): boolean {
  if (headEnd > FAST_HEAD_MAX) return false;
  PLAIN_FIELDS.lastIndex = from;
  if (!PLAIN_FIELDS.test(text) || PLAIN_FIELDS.lastIndex !== headEnd) return false;
  const end = headEnd - 2; // the blank line
  let pos = from;
  while (pos < end) {
    // The expression has checked the line: the name runs to the first colon, the value to CR.
    let colon = pos + 1;
    while (text.charCodeAt(colon) !== 0x3a) colon++;
    const eol = text.indexOf('\r', colon);
    let vs = colon + 1;
    while (vs < eol && isOws(text.charCodeAt(vs))) vs++;
    let ve = eol;
    while (ve > vs && isOws(text.charCodeAt(ve - 1))) ve--;
    offsets.push(pos, colon, vs, ve);
    pos = eol + 2;
  }
  return true;
}
