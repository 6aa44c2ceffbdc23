// Field-name checks HTTP/2 adds on top of HPACK, for the message layer to apply (a malformed
// field is a stream error of type PROTOCOL_ERROR, RFC 9113 §8.1.1, not a COMPRESSION_ERROR, so
// the decoder does not apply them itself).

/** Octets allowed in a regular field name: tchar (RFC 9110 §5.6.2) without uppercase. */
const NAME_OCTET = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") NAME_OCTET[c.charCodeAt(0)] = 1;

/**
 * Why `name` is not a valid HTTP/2 field name, or null when it is. RFC 9113 §8.2.1: "A field name
 * MUST NOT contain characters in the ranges 0x00-0x20, 0x41-0x5a, or 0x7f-0xff (all ranges
 * inclusive)" — uppercase included — and names are tokens (RFC 9110 §5.1). A leading ':' marks a
 * pseudo-header (§8.3); which ones are allowed is the message layer's business.
 */
export function fieldNameError(name: string): string | null {
  if (name.length === 0) return 'empty field name';
  const start = name.charCodeAt(0) === 0x3a ? 1 : 0;
  if (start === 1 && name.length === 1) return 'field name ":" alone';
  for (let i = start; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0xff || NAME_OCTET[c] !== 1) {
      return c >= 0x41 && c <= 0x5a
        ? `uppercase in field name ${JSON.stringify(name)} (RFC 9113 §8.2.1)`
        : `octet 0x${c.toString(16)} in field name ${JSON.stringify(name)} (RFC 9113 §8.2.1)`;
    }
  }
  return null;
}
