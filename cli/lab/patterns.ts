// The seed incidents as runnable patterns, one file each under patterns/. Each pattern is the
// same caller code written for Node's global fetch, node:http with a keep-alive Agent, undici
// and httpool, sometimes with an extra row for the seed's own failing setup. Every loop is
// bounded by count, so the whole lab stays well under a minute.

import { closedUnread } from './patterns/closed-unread.js';
import { neverClosed } from './patterns/never-closed.js';
import { bodyReused } from './patterns/body-reused.js';
import { poolTooSmall } from './patterns/pool-too-small.js';
import { serverClosesIdle } from './patterns/server-closes-idle.js';
import { clientPerCall } from './patterns/client-per-call.js';
import type { Pattern } from './pattern.js';

export const PATTERNS: readonly Pattern[] = [
  closedUnread, neverClosed, bodyReused, poolTooSmall, serverClosesIdle, clientPerCall,
];
