#!/usr/bin/env node
// First visit on a weak network (issue 22): Debian chromium through playwright-core, throttled to 400 ms RTT and
// ~50 KB/s down. Prints the time until the sign-in form is usable, then for a supervisor and a safety manager the
// time from pressing 登录 until a useful home (the task counts shown, the first download over) and until the first
// sync is done. Targets: sign-in form <= 4 s, useful home <= 8 s. A benchmark, not a timed test.
//
//   bash scripts/e2e-server.sh &      # E2E_PORT=8789: a demo city under gunicorn serving the built PWA
//   node bench/bench_weak_network.mjs --base http://127.0.0.1:8789
//
// Throttling: CDP Network.emulateNetworkConditions on the page (what DevTools does). Chromium does not apply it
// to the service worker's own fetches (its precache), so their competition for the link is not simulated.
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'

const require = createRequire(new URL('../pwa/package.json', import.meta.url))
const { chromium } = require('playwright-core')

const { values: args } = parseArgs({
  options: {
    base: { type: 'string', default: `http://127.0.0.1:${process.env.E2E_PORT ?? '8765'}` },
    chrome: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    rtt: { type: 'string', default: '400' },
    down: { type: 'string', default: '50' }, // KB/s
    up: { type: 'string', default: '25' }, // KB/s
    password: { type: 'string', default: 'demo-password-1' },
    users: { type: 'string', default: 'supervisor1,manager1' },
  },
})
const RTT = Number(args.rtt)
const DOWN = Number(args.down) * 1024
const UP = Number(args.up) * 1024

async function throttle(page) {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: RTT,
    downloadThroughput: DOWN,
    uploadThroughput: UP,
  })
}

const seconds = ms => `${(ms / 1000).toFixed(1)} s`

async function firstVisit(browser, base, username) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', serviceWorkers: 'allow' })
  const page = await context.newPage()
  await throttle(page)
  const t0 = Date.now()
  await page.goto(`${base}/login`, { waitUntil: 'commit' })
  const user = page.getByPlaceholder('用户名')
  await user.waitFor({ state: 'visible', timeout: 120_000 })
  await page.getByRole('button', { name: '登录', exact: true }).waitFor({ state: 'visible' })
  const formUsable = Date.now() - t0

  await user.fill(username)
  await page.getByPlaceholder('密码').fill(args.password)
  const t1 = Date.now()
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await page.waitForURL(/\/$/, { timeout: 120_000 })
  // useful: the task counts are numbers and the first download is over
  await page.waitForFunction(
    () =>
      !document.querySelector('[data-testid="first-download"]') &&
      [...document.querySelectorAll('[data-testid="tile-value"]')].some(el => /\d/.test(el.textContent ?? '')),
    undefined,
    { timeout: 180_000, polling: 100 },
  )
  const usefulHome = Date.now() - t1
  await page.getByTestId('sync-status').filter({ hasText: '上次同步' }).waitFor({ timeout: 180_000 })
  const firstSync = Date.now() - t1
  let offline = NaN
  await page
    .waitForFunction(() => document.documentElement.dataset.offlineAssets === 'ready', undefined, { timeout: 300_000 })
    .then(() => (offline = Date.now() - t1))
    .catch(() => {})
  await context.close()
  return { formUsable, usefulHome, firstSync, offline }
}

const base = args.base
const browser = await chromium.launch({
  executablePath: args.chrome,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking'],
})
console.log(`weak network: ${RTT} ms RTT, ${args.down} KB/s down, ${args.up} KB/s up (CDP on the page); ${args.base}`)
console.log('user          sign-in form   useful home   first sync   all screens offline   (first visit, empty cache)')
let ok = true
for (const username of args.users.split(',')) {
  const r = await firstVisit(browser, base, username)
  ok &&= r.formUsable <= 4000 && r.usefulHome <= 8000
  console.log(
    `${username.padEnd(13)} ${seconds(r.formUsable).padStart(12)}  ${seconds(r.usefulHome).padStart(12)}  ` +
      `${seconds(r.firstSync).padStart(11)}  ${Number.isNaN(r.offline) ? 'n/a' : seconds(r.offline).padStart(19)}`,
  )
}
console.log(ok ? 'targets met: sign-in form <= 4 s, useful home <= 8 s' : 'targets missed: sign-in form <= 4 s, useful home <= 8 s')
await browser.close()
