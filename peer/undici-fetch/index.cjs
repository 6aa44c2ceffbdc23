'use strict'
// Stands in for undici's entry (copied over index.js by run.sh): undici's own exports, with
// fetch swapped for the one named by PEER_FETCH and the Fetch classes taken from the globals.
const real = require('./index.undici.js')
const mode = process.env.PEER_FETCH || 'httpool'
const out = { ...real }
out.Headers = globalThis.Headers
out.Request = globalThis.Request
out.Response = globalThis.Response
out.FormData = globalThis.FormData
if (mode === 'node') out.fetch = globalThis.fetch
else if (mode === 'httpool') out.fetch = require('httpool').fetch
else throw new Error(`PEER_FETCH must be node or httpool, not ${mode}`)
module.exports = out
