// The error the frame layer reports. It is an httpool ProtocolError (stable code ERR_PROTOCOL, as
// src/h1 reports broken framing) that also carries what the connection must put on the wire:
// the HTTP/2 error code for GOAWAY or RST_STREAM (RFC 9113 §7), and whether the error is a
// connection error (GOAWAY, close: §5.4.1) or a stream error (RST_STREAM that stream only: §5.4.2).

import { ProtocolError } from '../../errors.js';
import { h2CodeName } from './types.js';

export type H2ErrorScope = 'connection' | 'stream';

export class H2FrameError extends ProtocolError {
  /** RFC 9113 §7 error code to send (FRAME_SIZE_ERROR, PROTOCOL_ERROR, …). */
  readonly h2Code: number;
  /** 'connection': send GOAWAY and close. 'stream': reset `streamId` only; the connection lives on. */
  readonly scope: H2ErrorScope;
  /** The stream the frame named (0 for the connection's own frames). */
  readonly streamId: number;

  constructor(scope: H2ErrorScope, h2Code: number, streamId: number, message: string) {
    super('ERR_PROTOCOL', `http2 ${scope} error ${h2CodeName(h2Code)}: ${message}`);
    this.h2Code = h2Code;
    this.scope = scope;
    this.streamId = streamId;
  }
}

export function connectionError(h2Code: number, streamId: number, message: string): H2FrameError {
  return new H2FrameError('connection', h2Code, streamId, message);
}

export function streamError(h2Code: number, streamId: number, message: string): H2FrameError {
  return new H2FrameError('stream', h2Code, streamId, message);
}
