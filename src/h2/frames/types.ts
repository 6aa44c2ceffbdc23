// HTTP/2 frame-layer constants (RFC 9113 §4, §6, §7, §11): frame types, flags, error codes,
// SETTINGS identifiers and the fixed sizes the reader and writer share. Numbers only: no
// behaviour lives here, so the reader, the writer and the tests all name the same values.

/** Every frame starts with a 9-octet header: length (24), type (8), flags (8), R + stream id (1 + 31) (§4.1). */
export const FRAME_HEADER_SIZE = 9;

/** SETTINGS_MAX_FRAME_SIZE's initial value, and the smallest a peer may set (§4.2, §6.5.2). */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;
/** The largest SETTINGS_MAX_FRAME_SIZE allowed: 2^24-1 (§6.5.2). */
export const MAX_ALLOWED_FRAME_SIZE = 0xff_ffff;
/** Flow-control windows and WINDOW_UPDATE increments are at most 2^31-1 (§6.9, §6.9.1). */
export const MAX_WINDOW_SIZE = 0x7fff_ffff;
/** Initial flow-control window, stream and connection (§6.5.2, §6.9.2). */
export const DEFAULT_INITIAL_WINDOW_SIZE = 65_535;
/** HPACK dynamic table size the peer's decoder starts with (§6.5.2). */
export const DEFAULT_HEADER_TABLE_SIZE = 4_096;
/** Stream identifiers are 31 bits; the high bit of the field is reserved and ignored (§4.1). */
export const STREAM_ID_MASK = 0x7fff_ffff;

/** Frame types (§6; §11.2 registry). Other values are extensions: ignored on receipt (§4.1, §5.5). */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;
export type FrameTypeName = keyof typeof FrameType;

/** Flags (§6). The same bit means different things per type; undefined flags are ignored (§4.1). */
export const Flag = {
  /** DATA, HEADERS: the last frame the sender sends on this stream (§6.1, §6.2). */
  END_STREAM: 0x1,
  /** SETTINGS, PING: this frame acknowledges the peer's (§6.5, §6.7). */
  ACK: 0x1,
  /** HEADERS, PUSH_PROMISE, CONTINUATION: the field block ends in this frame (§6.2, §6.10). */
  END_HEADERS: 0x4,
  /** DATA, HEADERS, PUSH_PROMISE: a Pad Length octet leads, padding trails (§6.1). */
  PADDED: 0x8,
  /** HEADERS: Exclusive + Stream Dependency + Weight (5 octets) precede the fragment (§6.2). */
  PRIORITY: 0x20,
} as const;

/** Error codes for RST_STREAM and GOAWAY (§7). Unknown codes must not trigger special behaviour. */
export const H2Code = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;
export type H2CodeName = keyof typeof H2Code;

const CODE_NAMES: readonly string[] = Object.keys(H2Code);

/** The registry name of an error code, or `0x…` for one not in it (§7: unknown codes are valid). */
export function h2CodeName(code: number): string {
  return CODE_NAMES[code] ?? `0x${code.toString(16)}`;
}

/** SETTINGS parameters (§6.5.2; §11.3 registry). Unknown identifiers are ignored (§6.5.2). */
export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
  /** RFC 8441 extended CONNECT. */
  ENABLE_CONNECT_PROTOCOL: 0x8,
  /** RFC 9218 §2.1: the sender ignores RFC 7540 priority signals. */
  NO_RFC7540_PRIORITIES: 0x9,
} as const;

/** One SETTINGS parameter on the wire: 16-bit identifier, 32-bit value (§6.5.1). */
export const SETTING_SIZE = 6;

/** The client connection preface (§3.4), followed by the client's SETTINGS frame. */
export const CLIENT_PREFACE: Buffer = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** Payload sizes fixed by §6.3, §6.4, §6.7, §6.9; GOAWAY has at least this much (§6.8). */
export const PRIORITY_PAYLOAD = 5;
export const RST_STREAM_PAYLOAD = 4;
export const PING_PAYLOAD = 8;
export const GOAWAY_MIN_PAYLOAD = 8;
export const WINDOW_UPDATE_PAYLOAD = 4;
