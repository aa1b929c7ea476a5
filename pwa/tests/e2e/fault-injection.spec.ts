// Fault injection in a real browser (issue 9). Each case: nothing lost, nothing duplicated (exactly one record
// on the server), and the user told what happened (a visible message).
import type { APIRequestContext, BrowserContext, Page } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, devices, expect, test } from '@playwright/test'
import { CHROMIUM_ARGS } from '../../playwright.config'
import { apiToken, firstDevice, hazardsWithDescription, makeJpeg, PASSWORD, uiLogin, waitSynced } from './helpers'

const PORT = process.env.E2E_PORT ?? '8765'
/** Must match scripts/e2e-server.sh (the test server's JWT key, so expired tokens can be minted). */
const JWT_SECRET = process.env.E2E_JWT_SECRET ?? 'sesv-e2e-only-jwt-secret-0123456789abcdef'
const DIST = new URL('../../dist/', import.meta.url).pathname

/** Fill and save the hazard form for `deviceId` (one real photo); lands back on the device page. */
async function reportHazard(page: Page, deviceId: string | number, description: string, seed: number): Promise<void> {
  await page.goto(`/hazards/new?device=${deviceId}`)
  await page.getByPlaceholder('如：安全附件、作业人员、安全管理').fill('安全附件')
  await page.getByPlaceholder('描述发现的问题').fill(description)
  await page.getByTestId('photo-input').setInputFiles([{ name: 'a.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, seed) }])
  await expect(page.getByTestId('photo-thumb')).toHaveCount(1)
  await page.getByTestId('submit-hazard').click()
  await expect(page).toHaveURL(new RegExp(`/devices/${deviceId}$`))
}

async function expectExactlyOne(request: APIRequestContext, token: string, description: string, photos = 1) {
  const found = await hazardsWithDescription(request, token, description)
  expect(found).toHaveLength(1)
  expect(found[0]!.photos).toHaveLength(photos)
  return found[0]!
}

/** The e2e server's gunicorn worker (child of the master bound to our port). */
function gunicornWorkerPid(): number {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args=']).toString().split('\n')
    .map(line => line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => m !== null && m[3]!.includes('gunicorn') && m[3]!.includes(`127.0.0.1:${PORT}`))
    .map(m => ({ pid: Number(m[1]), ppid: Number(m[2]) }))
  const master = rows.find(r => !rows.some(o => o.pid === r.ppid))
  const worker = rows.find(r => master && r.ppid === master.pid)
  if (!worker) throw new Error(`no gunicorn worker found for port ${PORT}`)
  return worker.pid
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url')
}

/** The same token, re-signed with the server's key, that expired an hour ago (a phone left offline too long). */
function expired(token: string): string {
  const [, payload] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString())
  const now = Math.floor(Date.now() / 1000)
  const body = { ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 }
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const signing = `${head}.${b64url(JSON.stringify(body))}`
  return `${signing}.${createHmac('sha256', JWT_SECRET).update(signing).digest('base64url')}`
}

test('server restarted mid-sync: the worker dies after applying a push, the phone resends, one record', async ({ page, request }) => {
  const token = await apiToken(request, 'manager1')
  const device = await firstDevice(request, token)
  const description = `服务器重启 e2e ${Date.now()}`
  const before = gunicornWorkerPid()
  let down = false
  let pushes = 0

  await uiLogin(page, 'manager1')
  await page.route('**/api/sync/push', async (route) => {
    pushes += 1
    if (pushes === 1) {
      const response = await route.fetch() // the server applies and commits the ops…
      expect(response.ok()).toBeTruthy()
      process.kill(gunicornWorkerPid(), 'SIGKILL') // …then its worker is killed before the phone hears back
      down = true
      await route.abort('connectionreset')
      return
    }
    if (down) return route.abort('connectionrefused') // still restarting
    await route.continue()
  })

  await reportHazard(page, device.id, description, 21)
  await expect(page.getByTestId('sync-status')).toContainText('网络连接失败，稍后自动重试')
  await expect(page.getByTestId('sync-badge')).toHaveText('1')

  // the master has started a new worker; the phone retries on its own (backoff) or when asked
  await expect.poll(async () => (await request.get('/api/health')).ok(), { timeout: 30_000 }).toBeTruthy()
  expect(gunicornWorkerPid()).not.toBe(before)
  down = false
  await page.getByTestId('sync-now').click()
  await waitSynced(page)
  await expect(page.getByTestId('sync-badge')).toHaveCount(0)
  expect(pushes).toBeGreaterThanOrEqual(2)
  await expectExactlyOne(request, token, description)
})

test('page killed mid-photo-upload and reopened on the same profile: the upload resumes, one record', async ({ request }, testInfo) => {
  test.setTimeout(150_000)
  const token = await apiToken(request, 'manager1')
  const device = await firstDevice(request, token)
  const description = `上传中关闭 e2e ${Date.now()}`
  const profile = mkdtempSync(join(tmpdir(), 'sesv-profile-'))
  const { defaultBrowserType: _ignored, ...phone } = devices['Pixel 7']
  const launch = () => chromium.launchPersistentContext(profile, {
    ...phone,
    viewport: { width: 390, height: 844 },
    baseURL: testInfo.project.use.baseURL,
    locale: 'zh-CN',
    serviceWorkers: 'allow',
    headless: true,
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  })
  let context: BrowserContext | null = await launch()
  try {
    let page = context.pages()[0] ?? await context.newPage()
    await uiLogin(page, 'manager1')
    await context.setOffline(true)
    await reportHazard(page, device.id, description, 22)
    await expect(page.getByTestId('sync-badge')).toHaveText('1')

    let inFlight!: () => void
    const uploading = new Promise<void>((resolve) => { inFlight = resolve })
    await context.route('**/api/photos/*', async (route) => {
      if (route.request().method() !== 'PUT') return route.continue()
      await route.fetch().catch(() => null) // the bytes reach the server…
      inFlight() // …and the page dies before the answer arrives
      await new Promise(() => {})
    })
    await context.setOffline(false)
    await uploading
    await context.close() // the tab (and the whole browser) goes away mid-upload
    context = null

    context = await launch()
    page = context.pages()[0] ?? await context.newPage()
    await page.goto(`/devices/${device.id}`)
    await expect(page.getByTestId('device-name')).toBeVisible()
    await waitSynced(page)
    await expect(page.getByTestId('sync-badge')).toHaveCount(0)
    await expectExactlyOne(request, token, description)
  }
  finally {
    await context?.close()
    rmSync(profile, { recursive: true, force: true })
  }
})

test('storage full: the new record is refused with a clear message, the queued one is kept and sent', async ({ page, context, request }) => {
  const token = await apiToken(request, 'manager1')
  const device = await firstDevice(request, token)
  const queued = `存储将满-已排队 e2e ${Date.now()}`
  // IndexedDB writes fail the way a full phone fails them (QuotaExceededError) while window.__storageFull is set.
  // (CDP Storage.overrideQuotaForOrigin makes writes fail in a bare page on this origin, but not in the signed-in
  // app: not yet understood, so the refusal is injected at the IndexedDB API, as Chromium reports it.)
  await page.addInitScript(() => {
    const w = window as unknown as { __storageFull?: boolean }
    for (const method of ['put', 'add'] as const) {
      const original = IDBObjectStore.prototype[method]
      IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
        if (w.__storageFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
        return original.apply(this, args)
      }
    }
  })

  await uiLogin(page, 'manager1')
  await context.setOffline(true)
  await reportHazard(page, device.id, queued, 23)
  await expect(page.getByTestId('sync-badge')).toHaveText('1')

  // a second report: its first photo is stored, then the phone runs out of space
  const second = `存储将满-第二条 e2e ${Date.now()}`
  const full = (on: boolean) => page.evaluate((v) => { (window as unknown as { __storageFull: boolean }).__storageFull = v }, on)
  await page.goto(`/hazards/new?device=${device.id}`)
  await page.getByPlaceholder('如：安全附件、作业人员、安全管理').fill('安全附件')
  await page.getByPlaceholder('描述发现的问题').fill(second)
  await page.getByTestId('photo-input').setInputFiles([{ name: 'b.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, 24) }])
  await expect(page.getByTestId('photo-thumb')).toHaveCount(1)
  await full(true)

  // another photo: refused, and the user is told why and that the queue is safe
  await page.getByTestId('photo-input').setInputFiles([{ name: 'c.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, 28) }])
  const dialog = page.locator('.van-dialog')
  await expect(dialog).toContainText('手机存储空间不足')
  await expect(dialog).toContainText('已保存、等待上传的记录不会丢失')
  await dialog.getByRole('button').click()
  await expect(page.getByTestId('photo-thumb')).toHaveCount(1)

  // saving the report: refused as a whole (no half-saved hazard), the form stays filled
  await page.getByTestId('submit-hazard').click()
  await expect(dialog).toContainText('这条记录没有保存')
  await dialog.getByRole('button').click()
  await expect(page).toHaveURL(/\/hazards\/new/)
  await expect(page.getByPlaceholder('描述发现的问题')).toHaveValue(second)
  await expect(page.getByTestId('sync-badge')).toHaveText('1')

  // space comes back (the user cleared some): the same form saves, and both records go up once each
  await full(false)
  await page.getByTestId('submit-hazard').click()
  await expect(page).toHaveURL(new RegExp(`/devices/${device.id}$`))
  await expect(page.getByTestId('sync-badge')).toHaveText('2')
  await context.setOffline(false)
  await page.getByTestId('sync-now').click()
  await waitSynced(page)
  await expect(page.getByTestId('sync-badge')).toHaveCount(0)
  await expectExactlyOne(request, token, second)
  await expectExactlyOne(request, token, queued)
})

for (const [label, offsetDays] of [['a day ahead', 1], ['a day behind', -1]] as const) {
  test(`phone clock ${label}: server times win, nothing rejected`, async ({ page, context, request }) => {
    const token = await apiToken(request, 'manager1')
    const device = await firstDevice(request, token)
    const description = `时钟偏差${offsetDays} e2e ${Date.now()}`
    await page.addInitScript((offset) => {
      const RealDate = Date
      const shift = offset * 86_400_000
      class SkewedDate extends RealDate {
        constructor(...args: unknown[]) {
          if (args.length === 0) super(RealDate.now() + shift)
          else super(...(args as [string]))
        }

        static now(): number {
          return RealDate.now() + shift
        }
      }
      globalThis.Date = SkewedDate as DateConstructor
    }, offsetDays)

    await uiLogin(page, 'manager1')
    const phoneToday = await page.evaluate(() => {
      const d = new Date()
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
    })
    expect(phoneToday).not.toBe(new Date().toISOString().slice(0, 10))
    await context.setOffline(true)
    await reportHazard(page, device.id, description, 25)
    await context.setOffline(false)
    await page.getByTestId('sync-now').click()
    await waitSynced(page)
    await expect(page.getByTestId('sync-badge')).toHaveCount(0)
    await expect(page.getByTestId('sync-status')).not.toContainText('需处理')

    const hazard = await expectExactlyOne(request, token, description) as unknown as { created_at: string, is_overdue: boolean, id: string }
    // the record carries the server's time, not the phone's
    expect(Math.abs(Date.parse(hazard.created_at) - Date.now())).toBeLessThan(10 * 60_000)
    expect(hazard.is_overdue).toBe(false)
    // and the phone shows the server's copy after the pull
    const local = await page.evaluate(async (id) => {
      const open = indexedDB.open('sesv')
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        open.onsuccess = () => resolve(open.result)
        open.onerror = () => reject(open.error)
      })
      const row = await new Promise<{ created_at: string, _sync: string }>((resolve) => {
        const req = db.transaction('hazards').objectStore('hazards').get(id)
        req.onsuccess = () => resolve(req.result)
      })
      db.close()
      return row
    }, hazard.id)
    expect(local._sync).toBe('synced')
    expect(Date.parse(local.created_at)).toBe(Date.parse(hazard.created_at))
  })
}

test('token expired while offline: the queue pauses for re-login and resumes, one record', async ({ page, context, request }) => {
  const token = await apiToken(request, 'manager1')
  const device = await firstDevice(request, token)
  const description = `离线期间令牌过期 e2e ${Date.now()}`

  await uiLogin(page, 'manager1')
  await context.setOffline(true)
  await reportHazard(page, device.id, description, 26)
  // days pass offline: both the access and the refresh token are now past their expiry
  await page.evaluate(([access, refresh]) => {
    localStorage.setItem('sesv.access', access)
    localStorage.setItem('sesv.refresh', refresh)
  }, await page.evaluate(() => [localStorage.getItem('sesv.access')!, localStorage.getItem('sesv.refresh')!]).then(([a, r]) => [expired(a!), expired(r!)]))
  await page.reload() // the app starts again from storage, offline (service worker)
  await expect(page.getByTestId('sync-badge')).toHaveText('1')

  const refreshes: number[] = []
  page.on('response', (r) => {
    if (r.url().includes('/api/auth/refresh')) refreshes.push(r.status())
  })
  await context.setOffline(false)
  await expect(page.getByTestId('sync-status')).toContainText('登录已失效')
  expect(refreshes).toEqual([401])
  await expect(page.getByTestId('sync-badge')).toHaveText('1')
  expect(await hazardsWithDescription(request, token, description)).toHaveLength(0)

  await page.getByTestId('sync-status').click()
  await expect(page).toHaveURL(/\/login/)
  await page.getByPlaceholder('密码').fill(PASSWORD)
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await expect(page).toHaveURL(new RegExp(`/devices/${device.id}$`))
  await waitSynced(page)
  await expect(page.getByTestId('sync-badge')).toHaveCount(0)
  await expectExactlyOne(request, token, description)
})

test('app updated while the outbox holds work: the prompt warns, the work survives the update', async ({ page, request }) => {
  const token = await apiToken(request, 'manager1')
  const device = await firstDevice(request, token)
  const description = `新版本更新 e2e ${Date.now()}`
  const swPath = join(DIST, 'sw.js')
  const backup = `${swPath}.e2e-backup`
  copyFileSync(swPath, backup)
  try {
    await uiLogin(page, 'manager1')
    // the server is unreachable for pushes, so the record stays queued
    await page.route('**/api/sync/push', route => route.abort('connectionrefused'))
    await reportHazard(page, device.id, description, 27)
    await expect(page.getByTestId('sync-badge')).toHaveText('1')

    // a half-filled second report is on screen when the update arrives
    await page.goto(`/hazards/new?device=${device.id}`)
    await page.getByPlaceholder('描述发现的问题').fill('更新时填了一半')

    // a new deploy: a different service worker script
    writeFileSync(swPath, `${readFileSync(backup, 'utf8')}\n// e2e deploy ${Date.now()}\n`)
    await page.evaluate(async () => { await (await navigator.serviceWorker.getRegistration())!.update() })
    const prompt = page.getByTestId('reload-prompt')
    await expect(prompt).toContainText('新版本可用')
    await expect(prompt).toContainText('还有 1 条记录未上传，建议先同步再更新')

    expect(await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting)).toBe(true)
    // no reload behind the user's back: the form is still there
    await page.waitForTimeout(1000)
    await expect(page.getByPlaceholder('描述发现的问题')).toHaveValue('更新时填了一半')

    // the user updates anyway: the new worker takes over and the page reloads
    await Promise.all([
      page.waitForEvent('framenavigated'),
      prompt.getByRole('button', { name: '立即更新' }).click(),
    ])
    await page.waitForLoadState('load')
    await expect.poll(() => page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration()
      return !reg?.waiting && !!reg?.active && !!navigator.serviceWorker.controller
    })).toBe(true)
    await expect(page.getByTestId('reload-prompt')).toHaveCount(0)
    await expect(page.getByTestId('sync-badge')).toHaveText('1')
    // the draft came back with the new version
    await expect(page.getByText('已恢复未提交的草稿')).toBeVisible()
    await expect(page.getByPlaceholder('描述发现的问题')).toHaveValue('更新时填了一半')

    await page.unroute('**/api/sync/push')
    await page.getByTestId('sync-now').click()
    await waitSynced(page)
    await expect(page.getByTestId('sync-badge')).toHaveCount(0)
    await expectExactlyOne(request, token, description)
  }
  finally {
    copyFileSync(backup, swPath)
    rmSync(backup, { force: true })
  }
})
