#!/usr/bin/env node
// Prints the gzip size of the shell (entry JS + CSS + modulepreloads from dist/index.html) and the
// service-worker precache total, with and without the QR wasm. Usage: node scripts/size-report.mjs [--json]
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const dist = new URL('../dist/', import.meta.url).pathname
if (!existsSync(join(dist, 'index.html'))) {
  console.error('dist/index.html not found: run `npm run build` first')
  process.exit(1)
}

const html = readFileSync(join(dist, 'index.html'), 'utf8')
const refs = new Set()
const signInRefs = new Set() // the sign-in screen's files, hinted beside the entry (vite.config.ts preloadSignIn)
for (const m of html.matchAll(/<script[^>]+src="\/?([^"]+\.js)"/g)) refs.add(m[1])
for (const m of html.matchAll(/<link([^>]+)href="\/?([^"]+\.(?:js|css))"([^>]*)>/g)) {
  ;(/data-sign-in/.test(m[1] + m[3]) ? signInRefs : refs).add(m[2])
}

const gz = file => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length
const sized = files => [...files].map(file => ({ file, bytes: statSync(join(dist, file)).size, gzip: gz(file) }))
const shell = sized(refs)
const signIn = sized(signInRefs)
const shellJs = shell.filter(f => f.file.endsWith('.js')).reduce((s, f) => s + f.gzip, 0)
const shellCss = shell.filter(f => f.file.endsWith('.css')).reduce((s, f) => s + f.gzip, 0)
const signInGzip = signIn.reduce((s, f) => s + f.gzip, 0)

const sw = readFileSync(join(dist, 'sw.js'), 'utf8')
const urls = [...sw.matchAll(/url:"([^"]+)"/g)].map(m => m[1])
const precache = urls.map(url => ({ url, bytes: statSync(join(dist, url)).size }))
const total = precache.reduce((s, f) => s + f.bytes, 0)
const wasm = precache.filter(f => f.url.endsWith('.wasm')).reduce((s, f) => s + f.bytes, 0)

const kb = n => `${(n / 1024).toFixed(1)} KB`
const report = {
  shell_js_gzip: shellJs,
  shell_css_gzip: shellCss,
  shell_files: shell,
  sign_in_gzip: signInGzip,
  sign_in_files: signIn,
  precache_entries: precache.length,
  precache_bytes: total,
  precache_wasm_bytes: wasm,
  precache_without_wasm_bytes: total - wasm,
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(report, null, 2))
}
else {
  for (const f of shell) console.log(`  ${f.file.padEnd(44)} ${kb(f.bytes).padStart(10)}  gzip ${kb(f.gzip).padStart(9)}`)
  console.log(`shell first-load JS  (gzip): ${kb(shellJs)}  (budget 90 KB)`)
  console.log(`shell first-load CSS (gzip): ${kb(shellCss)}`)
  console.log(`sign-in screen, hinted beside the shell (gzip): ${kb(signInGzip)} in ${signIn.length} files`)
  console.log(`precache: ${precache.length} entries, ${kb(total)} total; ${kb(wasm)} wasm; ${kb(total - wasm)} without wasm (budget 1536 KB)`)
}
