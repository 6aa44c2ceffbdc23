// defaultClient and the package-level helpers (Go's http.Get, http.Post…), all on the shared
// default transport.

import type { Response } from '../response.js';
import type { Request } from '../request.js';
import type { BodyInit } from '../request-body.js';
import { Client, type CallInit } from './client.js';

export const defaultClient: Client = new Client();

export function get(url: string | URL, init?: CallInit): Promise<Response> {
  return defaultClient.get(url, init);
}
export function head(url: string | URL, init?: CallInit): Promise<Response> {
  return defaultClient.head(url, init);
}
export function post(url: string | URL, contentType: string | null, body: BodyInit, init?: CallInit): Promise<Response> {
  return defaultClient.post(url, contentType, body, init);
}
export function postForm(url: string | URL, values: URLSearchParams | Record<string, string>, init?: CallInit): Promise<Response> {
  return defaultClient.postForm(url, values, init);
}
export function send(req: Request): Promise<Response> {
  return defaultClient.do(req);
}
