// The bodies every server (the Node one and nginx's generated config) and client use, so all
// rows move the same bytes.

export const SMALL_BODY = Buffer.alloc(100, 'x');
export const MIB_BODY = Buffer.alloc(1024 * 1024, 'y');
/** The POST scenario's request body, and the small answer the server gives it. */
export const POST_BODY = Buffer.alloc(4096, 'p');
export const POST_ANSWER = Buffer.from('ok', 'latin1');
