#!/usr/bin/env node
// Lighthouse mobile performance of the public pages (issue 25): login, the public device page a QR label opens
// (/q/<token>) and the complaint form (/complaint/<token>), against a running server with the built PWA.
//
//   bash scripts/e2e-server.sh &      # E2E_PORT=8789: a demo city under gunicorn
//   node bench/bench_lighthouse.mjs --base http://127.0.0.1:8789 --lighthouse /tmp/lh/node_modules/.bin/lighthouse
//
// Lighthouse is a measuring tool, not a project dependency: install it outside the repo
// (npm install --prefix /tmp/lh lighthouse). Each page is measured --runs times (default 3); the median is printed.
// Goal: performance >= 90 on every public page.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({
  options: {
    base: { type: 'string', default: `http://127.0.0.1:${process.env.E2E_PORT ?? '8765'}` },
    lighthouse: { type: 'string', default: '/tmp/lh/node_modules/.bin/lighthouse' },
    chrome: { type: 'string', default: process.env.CHROME_PATH ?? '/usr/bin/chromium' },
    runs: { type: 'string', default: '3' },
    user: { type: 'string', default: 'manager1' },
    password: { type: 'string', default: 'demo-password-1' },
  },
})

if (!existsSync(args.lighthouse)) {
  console.log(`lighthouse not found at ${args.lighthouse}: npm install --prefix /tmp/lh lighthouse`)
  process.exit(0)
}

async function aQrToken() {
  const login = await fetch(`${args.base}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: args.user, password: args.password }),
  })
  if (!login.ok) throw new Error(`login as ${args.user} failed: ${login.status}`)
  const { access_token: token } = await login.json()
  const res = await fetch(`${args.base}/api/devices?per_page=1`, { headers: { Authorization: `Bearer ${token}` } })
  return (await res.json()).items[0].qr_token
}

function lighthouseOnce(url) {
  const dir = mkdtempSync(join(tmpdir(), 'sesv-lh-'))
  const out = join(dir, 'report.json')
  try {
    execFileSync(
      args.lighthouse,
      [
        url,
        '--only-categories=performance',
        '--output=json',
        `--output-path=${out}`,
        '--quiet',
        '--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking',
      ],
      { env: { ...process.env, CHROME_PATH: args.chrome }, stdio: ['ignore', 'ignore', 'inherit'], timeout: 240_000 },
    )
    const report = JSON.parse(readFileSync(out, 'utf8'))
    const audit = id => report.audits[id]?.numericValue ?? NaN
    return {
      score: Math.round(report.categories.performance.score * 100),
      fcp: audit('first-contentful-paint'),
      lcp: audit('largest-contentful-paint'),
      tbt: audit('total-blocking-time'),
      bytes: audit('total-byte-weight'),
      requests: report.audits['network-requests']?.details?.items?.length ?? NaN,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const token = await aQrToken()
const pages = [
  ['login', '/login'],
  ['public device (/q/<token>)', `/q/${token}`],
  ['complaint form (/complaint/<token>)', `/complaint/${token}`],
]
const runs = Number(args.runs)
console.log(`Lighthouse mobile (simulated slow 4G, 4x CPU), ${runs} run(s) per page, median; ${args.base}`)
console.log('page                                   perf   FCP s   LCP s   TBT ms   bytes KiB   requests   (all runs: perf)')
let worst = 100
for (const [name, path] of pages) {
  const results = Array.from({ length: runs }, () => lighthouseOnce(`${args.base}${path}`))
  const m = key => median(results.map(r => r[key]))
  worst = Math.min(worst, m('score'))
  console.log(
    `${name.padEnd(38)} ${String(m('score')).padStart(4)}  ${(m('fcp') / 1000).toFixed(2).padStart(6)}  ` +
      `${(m('lcp') / 1000).toFixed(2).padStart(6)}  ${String(Math.round(m('tbt'))).padStart(7)}  ` +
      `${(m('bytes') / 1024).toFixed(0).padStart(10)}   ${String(m('requests')).padStart(8)}   ` +
      `(${results.map(r => r.score).join(', ')})`,
  )
}
console.log(worst >= 90 ? 'goal met: performance >= 90 on every public page' : `goal missed: worst page ${worst} < 90`)
