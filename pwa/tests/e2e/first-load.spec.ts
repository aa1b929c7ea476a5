// What a first visit downloads before its form is usable (issues 22 and 25: weak networks, Lighthouse on the
// public pages). Byte counts are the benchmarks' business (bench/bench_weak_network.mjs, bench_lighthouse.mjs);
// these tests hold the decisions that keep the first screens light.
import type { Route } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { apiToken, makeJpeg } from './helpers'

test.use({ serviceWorkers: 'block' })

test('the sign-in form comes up without the icon font', async ({ page }) => {
  const fonts: string[] = []
  page.on('request', r => {
    if (r.resourceType() === 'font') fonts.push(r.url())
  })
  await page.goto('/login')
  await expect(page.getByPlaceholder('用户名')).toBeVisible()
  await expect(page.getByRole('button', { name: '登录', exact: true })).toBeVisible()
  await page.waitForLoadState('networkidle')
  // no back arrow flashes up while the first route resolves: its icon would fetch a 26 KB font
  expect(fonts).toEqual([])
  await expect(page.getByTestId('nav-back')).toHaveCount(0)
})

test('the complaint form is usable before the photo picker and compressor arrive, and the picker then works', async ({ page, request }) => {
  const token = await apiToken(request, 'inspector1')
  const res = await request.get('/api/devices?per_page=1', { headers: { Authorization: `Bearer ${token}` } })
  const device = (await res.json()).items[0] as { qr_token: string }

  // hold the picker's code back as a slow network would
  const held: Route[] = []
  // (one file with its compressor, vite.config.ts firstScreenChunks)
  await page.route(/\/assets\/photo-picker-[^/]+\.js$/, route => void held.push(route), { times: 1 })
  await page.goto(`/complaint/${device.qr_token}`)
  const description = page.getByTestId('complaint-description').locator('textarea')
  await expect(description).toBeVisible()
  await description.fill('电梯门关不上 first-load')
  await expect.poll(() => held.length).toBeGreaterThan(0)
  await expect(page.getByTestId('photo-input')).toHaveCount(0)

  await Promise.all(held.map(r => r.continue()))
  await page.getByTestId('photo-input').setInputFiles([
    { name: 'a.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, 7) },
  ])
  await expect(page.getByTestId('photo-thumb')).toHaveCount(1)
  await expect(description).toHaveValue('电梯门关不上 first-load')
})

test('the public device page and the complaint form need a dozen files before they ask for the device, not forty', async ({ page, request }) => {
  const token = await apiToken(request, 'inspector1')
  const res = await request.get('/api/devices?per_page=1', { headers: { Authorization: `Bearer ${token}` } })
  const device = (await res.json()).items[0] as { qr_token: string }

  const screens = [
    { path: `/q/${device.qr_token}`, ready: page.getByTestId('public-inspection') },
    { path: `/complaint/${device.qr_token}`, ready: page.getByTestId('complaint-description').locator('textarea') },
  ]
  const cdp = await page.context().newCDPSession(page)
  for (const { path, ready } of screens) {
    await cdp.send('Network.clearBrowserCache') // each screen as a first visit
    const files: string[] = []
    let beforeLookup: string[] | null = null
    const count = (r: { url: () => string }): void => {
      if (/\/assets\/[^/]+\.(js|css)$/.test(r.url())) files.push(r.url())
      // the screen's code has run once it asks for the device; what came before is its critical path
      if (r.url().includes('/api/qr/')) beforeLookup ??= [...files]
    }
    page.on('request', count)
    await page.goto(path)
    await expect(ready).toBeVisible()
    page.off('request', count)
    // Vant's parts of the sign-in and public screens travel grouped (vite.config.ts firstScreenChunks): each
    // file is a round trip on a weak network; split per component these screens took 30 to 50 files
    expect(beforeLookup).not.toBeNull()
    expect(beforeLookup!.length, `${path}:\n${beforeLookup!.join('\n')}`).toBeLessThanOrEqual(12)
  }
})

test('the complaint form asks for its device with the page and draws once, device and all, then nothing moves', async ({ page, request }) => {
  const token = await apiToken(request, 'inspector1')
  const res = await request.get('/api/devices?category=elevator&per_page=1', { headers: { Authorization: `Bearer ${token}` } })
  const device = (await res.json()).items[0] as { qr_token: string }
  // what the screen showed before its finished form (a loading state, a form without its device or its
  // elevator emergency box), and how far things moved (layout shifts, Lighthouse's CLS)
  await page.addInitScript(() => {
    const seen: string[] = []
    let shifted = 0
    Object.assign(window, { sesvSeen: seen, sesvShifted: () => shifted })
    new MutationObserver(() => {
      if (document.querySelector('.complaint .van-loading')) seen.push('loading')
      if (document.querySelector('.complaint__form') && !document.querySelector('[data-testid="emergency"]')) {
        seen.push('form without its device')
      }
    }).observe(document, { childList: true, subtree: true })
    new PerformanceObserver(list => {
      for (const shift of list.getEntries() as (PerformanceEntry & { value: number })[]) shifted += shift.value
    }).observe({ type: 'layout-shift', buffered: true })
  })
  const requests: string[] = []
  page.on('request', r => requests.push(new URL(r.url()).pathname))

  await page.goto(`/complaint/${device.qr_token}`)
  await expect(page.getByTestId('emergency')).toBeVisible()
  await expect(page.getByTestId('photo-input')).toHaveCount(1) // the picker came after the first paint
  await page.waitForLoadState('networkidle')

  // one lookup, asked for by the page's response (a Link preload) before the entry script, taken by the screen
  const lookups = requests.filter(p => p.startsWith('/api/qr/'))
  expect(lookups).toEqual([`/api/qr/${device.qr_token}`])
  const entry = requests.findIndex(p => /^\/assets\/index-[^/]+\.js$/.test(p))
  expect(entry).toBeGreaterThan(-1)
  expect(requests.indexOf(lookups[0]!)).toBeLessThan(entry)
  expect(await page.evaluate(() => (window as unknown as { sesvSeen: string[] }).sesvSeen)).toEqual([])
  expect(await page.evaluate(() => (window as unknown as { sesvShifted: () => number }).sesvShifted())).toBeLessThan(0.01)
  // the first screen's marks (back arrow, radios, emergency box) are drawn without the icon font: it comes, if at
  // all, for the photo picker's icons
  const font = requests.findIndex(p => p.endsWith('.woff2'))
  if (font > -1) expect(font).toBeGreaterThan(requests.findIndex(p => /^\/assets\/photo-picker-/.test(p)))
})
