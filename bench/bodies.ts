// The response bodies every listener of the bench server serves, so all rows read the same bytes.

export const SMALL_BODY = Buffer.alloc(100, 'x');
export const MIB_BODY = Buffer.alloc(1024 * 1024, 'y');
