#!/usr/bin/env node
// After the build: a .br and a .gz next to every JS, CSS, HTML, JSON, SVG and wasm file of dist (or of the directory
// given), each kept only if it is smaller; backend/web.py sends the one the browser accepts. Brotli at its best
// quality: this runs once per build, not per request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const root = process.argv[2] ?? new URL('../dist/', import.meta.url).pathname
const COMPRESSIBLE = /\.(js|mjs|css|html|json|webmanifest|svg|wasm|txt)$/
const MIN_BYTES = 1024

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* files(path)
    else if (COMPRESSIBLE.test(name)) yield path
  }
}

let before = 0
let after = 0
for (const path of files(root)) {
  const raw = readFileSync(path)
  if (raw.length < MIN_BYTES) continue
  const br = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  })
  const gz = gzipSync(raw, { level: 9 })
  if (br.length < raw.length) writeFileSync(`${path}.br`, br)
  if (gz.length < raw.length) writeFileSync(`${path}.gz`, gz)
  before += raw.length
  after += Math.min(br.length, raw.length)
}
console.log(`precompress: ${(before / 1024).toFixed(0)} KiB -> ${(after / 1024).toFixed(0)} KiB (brotli)`)
