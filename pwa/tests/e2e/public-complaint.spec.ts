// Anonymous complaint from a label, in a context where service workers are blocked (in-app browsers).
import type { Page } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { apiToken, makeJpeg } from './helpers'

test.use({ serviceWorkers: 'block' })

/** Every IndexedDB record on the page's origin that holds bytes (Blob, ArrayBuffer, typed array) or mentions `text`. */
async function indexedDbTraces(page: Page, text: string): Promise<string[]> {
  return page.evaluate(async (needle) => {
    const found: string[] = []
    const holdsTrace = (v: unknown, depth = 0): boolean => {
      if (v instanceof Blob || v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return true
      if (typeof v === 'string') return v.includes(needle)
      if (depth > 5 || !v || typeof v !== 'object') return false
      return Object.values(v).some(x => holdsTrace(x, depth + 1))
    }
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(info.name!)
        req.onsuccess = () => resolve(req.result)
        req.onerror = () => reject(req.error)
      })
      for (const store of Array.from(db.objectStoreNames)) {
        const rows = await new Promise<unknown[]>((resolve, reject) => {
          const req = db.transaction(store).objectStore(store).getAll()
          req.onsuccess = () => resolve(req.result)
          req.onerror = () => reject(req.error)
        })
        rows.filter(r => holdsTrace(r)).forEach(() => found.push(`${info.name}/${store}`))
      }
      db.close()
    }
    return found
  }, text)
}

test('anonymous complaint: emergency guidance, form with photo, PoW, receipt, tracking', async ({ page, request }) => {
  test.setTimeout(150_000)
  const inspector = await apiToken(request, 'inspector1')
  const auth = { Authorization: `Bearer ${inspector}` }
  const res = await request.get('/api/devices?category=elevator&per_page=1', { headers: auth })
  expect(res.ok()).toBeTruthy()
  const device = (await res.json()).items[0] as { qr_token: string }
  const lookup = await (await request.get(`/api/qr/${device.qr_token}`)).json() as { public: { emergency_phone: string | null, maintenance_company: string | null } }
  const phone = lookup.public.emergency_phone || '96333'

  await page.goto(`/q/${device.qr_token}`)
  await expect(page.getByTestId('public-inspection')).toBeVisible()
  expect(await page.evaluate(() => navigator.serviceWorker?.controller ?? null)).toBeNull()
  await page.getByRole('button', { name: '扫码投诉' }).click()
  await expect(page).toHaveURL(new RegExp(`/complaint/${device.qr_token}$`))

  const emergency = page.getByTestId('emergency')
  await expect(emergency).toContainText('如被困电梯，请保持冷静，按下轿厢内警铃或拨打应急电话')
  await expect(page.getByTestId('emergency-phone')).toHaveAttribute('href', `tel:${phone}`)
  if (lookup.public.maintenance_company) await expect(emergency).toContainText(lookup.public.maintenance_company)

  const description = `电梯运行时异响抖动 e2e-${Date.now()}`
  await page.getByRole('radio', { name: '运行异常' }).click()
  await page.getByTestId('complaint-description').locator('textarea').fill(description)
  // two photos picked at once, one taken off again: one is sent
  await page.getByTestId('photo-input').setInputFiles([
    { name: 'a.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, 3) },
    { name: 'b.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, 4) },
  ])
  await expect(page.getByTestId('photo-thumb')).toHaveCount(2)
  await expect(page.getByText('正在压缩照片…')).toHaveCount(0)
  await page.getByRole('button', { name: '删除照片' }).first().click()
  await expect(page.getByTestId('photo-thumb')).toHaveCount(1)

  // an invalid phone is refused in the page; a valid one goes through
  await page.getByTestId('complaint-phone').locator('input').fill('12345')
  await page.getByTestId('submit-complaint').click()
  await expect(page.getByText('请填写 11 位手机号')).toBeVisible()
  await page.getByTestId('complaint-phone').locator('input').fill('13812345678')
  // with a phone, the complainant may agree to be texted when the complaint moves on (off by default)
  await expect(page.getByTestId('complaint-sms-consent')).toHaveAttribute('aria-checked', 'false')
  await page.getByTestId('complaint-sms-consent').click()
  await expect(page.getByTestId('complaint-sms-consent')).toHaveAttribute('aria-checked', 'true')
  await page.screenshot({ path: '/tmp/wt-jobs-complaint-consent.png', fullPage: true })

  const puts: string[] = []
  page.on('request', (r) => {
    if (r.method() === 'PUT' && r.url().includes('/api/public/photos/')) puts.push(r.url())
  })
  await page.getByTestId('submit-complaint').click()
  await expect(page.getByTestId('complaint-phase')).toBeVisible()
  await expect(page.getByTestId('complaint-result')).toBeVisible({ timeout: 120_000 })
  expect(puts).toHaveLength(1)

  // the photo lived in memory only: nothing of it is left in this stranger's browser storage
  const sha256 = puts[0]!.split('/').pop()!
  expect(sha256).toMatch(/^[0-9a-f]{64}$/)
  expect(await indexedDbTraces(page, sha256)).toEqual([])

  const ticketNo = (await page.getByTestId('ticket-no').textContent())!.trim()
  const code = (await page.getByTestId('tracking-code').textContent())!.trim()
  expect(ticketNo).toMatch(/^TS\d{8}-\d{4,6}$/)
  expect(code.length).toBeGreaterThan(3)

  await page.getByTestId('track-link').click()
  await expect(page).toHaveURL(/\/complaint\/track\/TS/)
  await expect(page.getByTestId('track-status')).toHaveText('已受理，待核查')

  // the tracking form: a wrong code is "not found"
  await page.goto('/complaint/track')
  await page.getByTestId('track-ticket').locator('input').fill(ticketNo)
  await page.getByTestId('track-code').locator('input').fill('wrong-code')
  await page.getByTestId('track-submit').click()
  await expect(page.getByTestId('track-error')).toHaveText('未找到，请核对编号和查询码')
  await page.getByTestId('track-code').locator('input').fill(code)
  await page.getByTestId('track-submit').click()
  await expect(page.getByTestId('track-status')).toHaveText('已受理，待核查')

  // the regulator sees exactly one complaint with that description, with the photo
  const list = await request.get('/api/complaints?per_page=100', { headers: auth })
  expect(list.ok()).toBeTruthy()
  const matches = ((await list.json()).items as Array<{ id: number, description: string, category: string, ticket_no: string }>)
    .filter(c => c.description === description)
  expect(matches).toHaveLength(1)
  expect(matches[0].ticket_no).toBe(ticketNo)
  expect(matches[0].category).toBe('abnormal_operation')
  const detail = await (await request.get(`/api/complaints/${matches[0].id}`, { headers: auth })).json()
  expect(detail.photos).toHaveLength(1)
  expect(detail.sms_consent).toBe(true) // ticked above: status changes go to 138… by SMS
})
