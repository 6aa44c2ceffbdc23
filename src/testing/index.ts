// httpool/testing: helpers for testing code that uses httpool (a subpath export, so the main
// entry point carries none of it). MockTransport answers from expectations without a socket;
// startTestServer is a real loopback server with a Client that trusts it (Go's httptest).
// This folder depends on src/; nothing in src/ depends on it.

export { MockTransport, type MockTransportOptions } from './mock-transport.js';
export { MockExpectation, type MockReplyBody, type MockReplyFunction } from './mock-expectation.js';
export type { MockMatch, MockCall } from './mock-match.js';
export { startTestServer, type TestServer, type TestServerOptions, type TestHandler } from './test-server.js';
export { TEST_CERT, TEST_KEY } from './test-cert.js';
