// The kept tests (README.md), and how each fetch did on them: node kept.mjs NODE.jsonl HTTPOOL.jsonl
import fs from 'node:fs'

export const KEEP_FILES = [
  '407-statuscode-window-null.js', 'abort.js', 'abort2.js', 'client-fetch.js', 'content-length.js', 'cookies.js',
  'encoding.js', 'exiting.js', 'fetch-leak.js', 'fetch-url-after-redirect.js', 'headers-case.js', 'integrity.js',
  'issue-1711.js', 'issue-2009.js', 'issue-2021.js', 'issue-2171.js', 'issue-2318.js', 'issue-2898.js', 'issue-3334.js',
  'issue-3616.js', 'issue-3624.js', 'issue-node-46525.js', 'issue-rsshub-15532.js',
  'jsdom-abortcontroller-1910-1464495619.js', 'long-lived-abort-controller.js', 'pull-dont-push.js',
  'redirect-cross-origin-header.js', 'redirect.js', 'resource-timing.js'
]
const DROP_TESTS = [/^client-fetch\.js :: custom agent/, /^cookies\.js :: .*http2/]

function load (file) {
  const results = new Map()
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue
    const r = JSON.parse(line)
    results.set(`${r.file.replace(/.*test\/fetch\//, '')} :: ${r.name}`, r)
  }
  return results
}

const node = load(process.argv[2])
const httpool = load(process.argv[3])
let kept = 0
let nodePasses = 0
let bothPass = 0
const failed = []
for (const [key, r] of node) {
  if (!KEEP_FILES.includes(key.split(' :: ')[0]) || DROP_TESTS.some((re) => re.test(key))) continue
  kept++
  if (!r.ok || r.skip) continue
  nodePasses++
  const h = httpool.get(key)
  if (h?.ok && !h.skip) bothPass++
  else failed.push(`${key}: ${h ? h.err : 'did not run'}`)
}
console.log(`kept ${kept}; Node's fetch passes ${nodePasses}; httpool's fetch passes ${bothPass} of those`)
for (const f of failed) console.log(`  httpool fails: ${f}`)
process.exitCode = failed.length === 0 ? 0 : 1
