// node:test reporter: one JSON line per test (suites left out) with its file, name and error.
export default async function * (source) {
  for await (const ev of source) {
    if (ev.type !== 'test:pass' && ev.type !== 'test:fail') continue
    if (ev.data.details?.type === 'suite') continue
    const err = ev.data.details?.error
    yield JSON.stringify({
      ok: ev.type === 'test:pass',
      skip: Boolean(ev.data.skip) || Boolean(ev.data.todo),
      file: ev.data.file,
      name: ev.data.name,
      err: err ? String(err.cause?.message ?? err.message).slice(0, 300) : undefined
    }) + '\n'
  }
}
