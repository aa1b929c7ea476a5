import { createHash, randomUUID } from 'node:crypto'
import type { APIRequestContext, Page } from '@playwright/test'
import { expect } from '@playwright/test'

export const PASSWORD = 'demo-password-1'

/** Signs in through the form and lands on the home, without waiting for the first sync. */
export async function signIn(page: Page, username: string): Promise<void> {
  await page.goto('/login')
  await page.getByPlaceholder('用户名').fill(username)
  await page.getByPlaceholder('密码').fill(PASSWORD)
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await expect(page).toHaveURL(/\/$/)
}

/** Signs in and waits until the first sync is done and the app works offline. */
export async function uiLogin(page: Page, username: string): Promise<void> {
  await signIn(page, username)
  await waitSynced(page)
  await waitOfflineReady(page)
}

/**
 * The service worker has precached the shell and is active, and the other screens were fetched into its cache
 * after the first sync (src/offline/asset-warmup.ts): the next navigation works offline.
 */
export async function waitOfflineReady(page: Page): Promise<void> {
  await page.evaluate(async () => { await navigator.serviceWorker.ready })
  await expect(page.locator('html[data-offline-assets="ready"]')).toHaveCount(1, { timeout: 60_000 })
}

/** The sync bar reads "上次同步 hh:mm" once a full round (photos, push, pull) has finished. */
export async function waitSynced(page: Page): Promise<void> {
  await expect(page.getByTestId('sync-status')).toContainText('上次同步', { timeout: 60_000 })
}

export async function apiToken(request: APIRequestContext, username: string): Promise<string> {
  const res = await request.post('/api/auth/login', { data: { username, password: PASSWORD } })
  expect(res.ok()).toBeTruthy()
  return (await res.json()).access_token as string
}

export interface DeviceDto {
  id: number | string
  name: string
  qr_token: string
  registration_no: string
}

export async function firstDevice(request: APIRequestContext, token: string): Promise<DeviceDto> {
  const res = await request.get('/api/devices?per_page=1', { headers: { Authorization: `Bearer ${token}` } })
  expect(res.ok()).toBeTruthy()
  return (await res.json()).items[0] as DeviceDto
}

export async function hazardsWithDescription(request: APIRequestContext, token: string, description: string) {
  const found = []
  for (let page = 1; page < 50; page++) {
    const res = await request.get(`/api/hazards?per_page=100&page=${page}`, { headers: { Authorization: `Bearer ${token}` } })
    expect(res.ok()).toBeTruthy()
    const body = await res.json()
    found.push(...body.items.filter((h: { description: string }) => h.description === description))
    if (page * body.per_page >= body.total) break
  }
  return found as Array<{ id: string, photos: unknown[], description: string }>
}

/** A real JPEG made by the browser's own encoder (so the app's compressor gets a genuine image). */
export async function makeJpeg(page: Page, seed: number): Promise<Buffer> {
  const base64 = await page.evaluate(async (s) => {
    const c = document.createElement('canvas')
    c.width = 1200
    c.height = 900
    const ctx = c.getContext('2d')!
    const g = ctx.createLinearGradient(0, 0, 1200, 900)
    g.addColorStop(0, `hsl(${s * 70 % 360} 70% 55%)`)
    g.addColorStop(1, `hsl(${(s * 70 + 120) % 360} 70% 35%)`)
    ctx.fillStyle = g
    ctx.fillRect(0, 0, 1200, 900)
    ctx.fillStyle = '#fff'
    ctx.font = 'bold 120px sans-serif'
    ctx.fillText(`PHOTO ${s}`, 200, 480)
    const blob = await new Promise<Blob>(r => c.toBlob(b => r(b!), 'image/jpeg', 0.9))
    const bytes = new Uint8Array(await blob.arrayBuffer())
    let bin = ''
    bytes.forEach((b) => { bin += String.fromCharCode(b) })
    return btoa(bin)
  }, seed)
  return Buffer.from(base64, 'base64')
}

/** Create a hazard (with one real photo) straight through the API, as another phone would. */
export async function createHazardViaApi(page: Page, request: APIRequestContext, token: string, deviceId: number | string, description: string): Promise<string> {
  const auth = { Authorization: `Bearer ${token}` }
  const jpeg = await makeJpeg(page, 9)
  const sha = createHash('sha256').update(jpeg).digest('hex')
  const put = await request.put(`/api/photos/${sha}`, { headers: { ...auth, 'Content-Type': 'image/jpeg' }, data: jpeg })
  expect(put.ok()).toBeTruthy()
  const id = randomUUID()
  const created = await request.post('/api/hazards', {
    headers: auth,
    data: { id, device_id: deviceId, source: 'self_check', category: '安全附件', severity: 'general', description, location: '1号楼', photos: [sha] },
  })
  expect(created.status()).toBe(201)
  return id
}

/** Solve the complaint proof of work in Node: sha256(challenge + nonce) with `bits` leading zero bits. */
export function solvePowNode(challenge: string, bits: number): string {
  for (let n = 0; ; n++) {
    const d = createHash('sha256').update(challenge + n).digest()
    let zeros = 0
    for (const byte of d) {
      if (byte) {
        zeros += Math.clz32(byte) - 24
        break
      }
      zeros += 8
    }
    if (zeros >= bits) return String(n)
  }
}

/** File an anonymous complaint through the public API (as a member of the public's phone would). */
export async function fileComplaintViaApi(
  request: APIRequestContext,
  qrToken: string,
  description: string,
  opts: { phone?: string, photos?: Buffer[], category?: string } = {},
): Promise<{ ticket_no: string, tracking_code: string }> {
  const hashes: string[] = []
  for (const jpeg of opts.photos ?? []) {
    const sha = createHash('sha256').update(jpeg).digest('hex')
    const put = await request.put(`/api/public/photos/${sha}`, { headers: { 'Content-Type': 'image/jpeg' }, data: jpeg })
    expect(put.ok()).toBeTruthy()
    hashes.push((await put.json()).sha256 as string)
  }
  // 'Connection: close': solving can take longer than the server keeps an idle connection
  // open, and a POST on the connection it just closed is reset (it failed once in CI)
  const challenge = await (await request.get('/api/public/challenge', { headers: { Connection: 'close' } }))
    .json() as { challenge: string, difficulty: number }
  const nonce = solvePowNode(challenge.challenge, challenge.difficulty)
  const res = await request.post('/api/public/complaints', {
    data: {
      qr_token: qrToken,
      category: opts.category ?? 'abnormal_operation',
      description,
      photos: hashes,
      contact_phone: opts.phone ?? null,
      pow: { challenge: challenge.challenge, nonce },
    },
  })
  expect(res.status()).toBe(201)
  return await res.json()
}

/** Tap an answer for every checklist item still unanswered (符合 unless told otherwise), as a user going down the form. */
export async function answerAllItems(page: Page, choice: 'item-pass' | 'item-na' = 'item-pass'): Promise<void> {
  const open = page.locator('[data-testid="check-item"][data-answered="false"]')
  await expect(page.getByTestId('check-item').first()).toBeVisible()
  while (await open.count() > 0) await open.first().getByTestId(choice).click()
  const total = await page.getByTestId('check-item').count()
  await expect(page.getByTestId('check-progress')).toContainText(`已答 ${total} / ${total}`)
}

/** Draw a signature on the form's signature pad with the mouse (mutual checks and notices are signed by hand). */
export async function drawSignature(page: Page): Promise<void> {
  const pad = page.getByTestId('signature-pad')
  await pad.scrollIntoViewIfNeeded()
  const box = (await pad.boundingBox())!
  await page.mouse.move(box.x + 20, box.y + box.height / 2)
  await page.mouse.down()
  for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 20 + i * 22, box.y + box.height / 2 + (i % 2 ? -25 : 25))
  await page.mouse.up()
}
