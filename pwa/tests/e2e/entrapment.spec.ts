import type { APIRequestContext, Page } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { apiToken, drawSignature, makeJpeg, uiLogin, waitSynced } from './helpers'

// 困人 (#24) on the demo city at 390 px: a passenger reports people trapped from the elevator's label page, the
// contracted company's worker gets an urgent order with the rescue clock, arrives offline (label scan), records the
// urgent items, stamps when the passengers were freed, signs and submits; back online it syncs, the record shows
// arrival and release within the limit, the using unit confirms it and the label page shows it. The using unit's
// own fault report (nobody trapped) opens an urgent order the worker sees too.

interface Order {
  id: number
  device_id: number
  enterprise_id: number
  kind: string
  trapped: boolean
  status: string
  record_id: number | null
  items: Array<{ code: string, photo: boolean }>
}
interface Device { id: number, qr_token: string, registration_no: string }
interface Record {
  id: number
  order_id: number
  released_at: string | null
  first_scan_at: string
  trapped: boolean
  rescue: { arrival_minutes: number, release_minutes: number | null, late: boolean } | null
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })

test.use({ timezoneId: 'Asia/Shanghai' })

/** A moment as the release picker (datetime-local, China time) takes it. */
function chinaLocal(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)
}

/** All the worker's open orders: the demo company has more than one page of them. */
async function myOrders(request: APIRequestContext, token: string): Promise<Order[]> {
  const orders: Order[] = []
  for (let page = 1; page <= 20; page++) {
    const res = await request.get(`/api/maintenance/orders?mine=true&per_page=100&page=${page}`, { headers: bearer(token) })
    expect(res.ok()).toBeTruthy()
    const body = await res.json()
    orders.push(...body.items)
    if (page * body.per_page >= body.total) break
  }
  return orders
}

/**
 * Elevators of manager1's enterprise that maint1's company maintains under a demo contract (it has periodic orders
 * for them), leaving out the one whose half-monthly order maintenance.spec.ts records.
 */
async function maintainedLifts(request: APIRequestContext, worker: string, manager: string): Promise<Device[]> {
  const me = await (await request.get('/api/auth/me', { headers: bearer(manager) })).json()
  const orders = (await myOrders(request, worker)).filter(o => o.enterprise_id === me.enterprise_id)
  const taken = orders.find(o => o.kind === 'half_month')?.device_id
  const ids = [...new Set(orders.map(o => o.device_id))].filter(id => id !== taken)
  const devices = []
  for (const id of ids) devices.push(await (await request.get(`/api/devices/${id}`, { headers: bearer(manager) })).json() as Device)
  return devices
}

async function signOut(page: Page): Promise<void> {
  await page.goto('/me')
  await page.getByTestId('logout').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/login/)
}

test('a passenger\'s 困人 report becomes an urgent order the worker records offline with the release time', async ({ browser, request, baseURL }) => {
  test.setTimeout(300_000)
  const worker = await apiToken(request, 'maint1')
  const manager = await apiToken(request, 'manager1')
  const lifts = await maintainedLifts(request, worker, manager)
  expect(lifts.length, 'manager1 has elevators maintained by maint1\'s company').toBeGreaterThan(0)
  const lift = lifts[0]!

  // a passenger in the car scans its label and reports 电梯困人
  const passenger = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const publicPage = await passenger.newPage()
  await publicPage.goto(`/q/${lift.qr_token}`)
  await publicPage.getByRole('button', { name: '扫码投诉' }).click()
  await expect(publicPage.getByTestId('emergency')).toBeVisible()
  await publicPage.getByRole('radio', { name: '电梯困人' }).click()
  await publicPage.getByTestId('complaint-description').locator('textarea').fill(`轿厢停在两层之间，1人被困 e2e-${Date.now()}`)
  await publicPage.getByTestId('submit-complaint').click()
  await expect(publicPage.getByTestId('complaint-result')).toBeVisible({ timeout: 120_000 })

  // the company has an urgent order for that lift at once, with the rescue clock running
  const urgent = (await myOrders(request, worker)).filter(o => o.device_id === lift.id && o.kind === 'urgent' && o.trapped && o.status !== 'done')
  expect(urgent).toHaveLength(1)
  const order = urgent[0]!

  const page = await (await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage()
  const context = page.context()
  await uiLogin(page, 'maint1')
  await page.getByTestId('maintenance-orders-link').click()
  const row = page.getByTestId('order-row').filter({ hasText: `急修 · ${lift.registration_no}` })
  await expect(row).toHaveCount(1)
  await expect(row).toContainText('困人')
  await row.click()
  await expect(page.getByTestId('rescue-clock')).toContainText('30 分钟')
  await expect(page.getByTestId('rescue-elapsed')).toContainText('距到达时限还剩')
  await expect(page.getByTestId('released-at')).toBeVisible()

  // in the shaft without signal: the label on arrival
  await context.setOffline(true)
  await page.reload()
  await expect(page.getByTestId('order-item')).toHaveCount(order.items.length)
  await page.getByTestId('scan-label').click()
  await page.getByTestId('label-manual').locator('input').fill(lift.qr_token)
  await page.getByTestId('label-manual-go').click()
  await expect(page.getByTestId('scan-row')).toHaveCount(1)
  await expect(page.getByTestId('rescue-elapsed')).toContainText('到场用时')
  await expect(page.getByTestId('rescue-elapsed')).toContainText('在时限内到场')

  // the urgent items: arrived, freed the passengers, fixed the fault (with a live photo)
  await page.getByTestId('all-ok').click()
  for (const [index, item] of order.items.entries()) {
    if (!item.photo) continue
    const itemRow = page.getByTestId('order-item').nth(index)
    await itemRow.getByTestId('photo-input').setInputFiles([{ name: `${item.code}.jpg`, mimeType: 'image/jpeg', buffer: await makeJpeg(page, 80 + index) }])
    await expect(itemRow.getByTestId('photo-thumb')).toHaveCount(1)
  }
  await page.locator('.van-toast').first().waitFor({ state: 'hidden' })
  await drawSignature(page)
  await expect(page.getByText('已签名', { exact: true })).toBeVisible()

  // without the release time the record is not taken; a time before the arrival scan or not yet come is refused
  await page.getByTestId('submit-record').click()
  await expect(page.locator('.van-dialog')).toContainText('请填写乘客解困时间')
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  const release = page.getByTestId('released-at')
  await release.getByTestId('released-at-input').fill(chinaLocal(Date.now() + 3_600_000))
  await expect(release).toContainText('乘客解困时间不能晚于当前时间')
  await release.getByTestId('released-at-input').fill(chinaLocal(Date.now() - 3_600_000))
  await expect(release).toContainText('乘客解困时间不能早于到场扫码时间')
  await page.getByTestId('submit-record').click()
  await expect(page.locator('.van-dialog')).toContainText('乘客解困时间不能早于到场扫码时间')
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()

  // freed now: "现在" stamps the phone's time
  await release.getByTestId('released-now').click()
  await expect(release.getByTestId('released-at-input')).toHaveValue(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/)
  await expect(release).not.toContainText('不能')
  await expect(page.getByTestId('rescue-clock')).toContainText('解困用时')
  await page.getByTestId('rescue-clock').scrollIntoViewIfNeeded()
  await page.screenshot({ path: '/tmp/entrapment-order-release.png' })
  await page.screenshot({ path: '/tmp/entrapment-order-full.png', fullPage: true })
  await page.getByTestId('submit-record').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/maintenance\/orders$/)
  await expect(page.getByTestId('order-row').filter({ hasText: `急修 · ${lift.registration_no}` })).toContainText('已提交，待同步')

  // back online: it syncs, and the server's record holds the release time
  await context.setOffline(false)
  await page.getByTestId('sync-now').click()
  await waitSynced(page)
  const shown = await (await request.get(`/api/maintenance/orders/${order.id}`, { headers: bearer(worker) })).json() as Order
  expect(shown.record_id).toBeTruthy()
  const record = await (await request.get(`/api/maintenance/records/${shown.record_id}`, { headers: bearer(manager) })).json() as Record
  expect(record.trapped).toBe(true)
  expect(record.released_at).toBeTruthy()
  expect(Date.parse(record.released_at!)).toBeGreaterThanOrEqual(Date.parse(record.first_scan_at))
  expect(record.rescue).toMatchObject({ late: false })
  expect(record.rescue!.release_minutes).toBeGreaterThanOrEqual(record.rescue!.arrival_minutes)

  // the record shows arrival and release, within the limit
  await page.goto(`/maintenance/records/${record.id}`)
  await expect(page.getByTestId('record-arrival')).toContainText(/\d{2}:\d{2}/)
  await expect(page.getByTestId('record-released')).toContainText(/\d{2}:\d{2}/)
  await expect(page.getByTestId('rescue-arrival')).toContainText('在时限内到场')
  await expect(page.getByTestId('rescue-release')).toContainText(`${record.rescue!.release_minutes} 分钟`)
  await page.screenshot({ path: '/tmp/entrapment-record.png', fullPage: true })
  await signOut(page)

  // the using unit's safety manager confirms it
  await uiLogin(page, 'manager1')
  await page.getByTestId('maintenance-records-link').click()
  await page.getByTestId('record-row').filter({ hasText: `急修 · ${lift.registration_no}` }).first().click()
  await expect(page).toHaveURL(new RegExp(`/maintenance/records/${record.id}$`))
  await expect(page.getByTestId('rescue-arrival')).toContainText('在时限内到场')
  await page.getByTestId('confirm-record').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('record-status')).toHaveText('已确认')
  await context.close()

  // the label page shows the urgent repair as the last maintenance, confirmed
  await publicPage.goto(`/q/${lift.qr_token}`)
  await expect(publicPage.getByTestId('public-last-maintenance')).toContainText('急修')
  await expect(publicPage.getByTestId('public-maintenance-confirmed')).toHaveText('使用单位已确认')
  await passenger.close()
})

test('the using unit\'s fault report opens an urgent order the worker sees', async ({ page, request }) => {
  test.setTimeout(180_000)
  const worker = await apiToken(request, 'maint1')
  const manager = await apiToken(request, 'manager1')
  const lifts = await maintainedLifts(request, worker, manager)
  const lift = lifts[lifts.length > 1 ? 1 : 0]!
  const description = `门机异响，停止运行 e2e-${Date.now()}`

  await uiLogin(page, 'manager1')
  await page.goto(`/maintenance/fault?device=${lift.id}`)
  await expect(page.getByTestId('fault-device')).toContainText(lift.registration_no)
  await page.getByTestId('fault-trapped').click()
  await expect(page.getByTestId('fault-trapped')).toHaveAttribute('aria-checked', 'false')
  await page.locator('textarea').fill(description)
  await page.getByTestId('fault-send').click()
  await expect(page.locator('.van-dialog')).toContainText('向维保单位发送急修工单？')
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/maintenance\/orders\/\d+$/)
  const orderId = Number(new URL(page.url()).pathname.split('/').pop())
  await signOut(page)

  await uiLogin(page, 'maint1')
  await page.getByTestId('maintenance-orders-link').click()
  const row = page.getByTestId('order-row').filter({ hasText: `急修 · ${lift.registration_no}` }).filter({ hasNotText: '困人' })
  await expect(row).toHaveCount(1)
  await row.click()
  await expect(page).toHaveURL(new RegExp(`/maintenance/orders/${orderId}$`))
  await expect(page.getByText(description)).toBeVisible()
  // nobody trapped: no rescue clock, no release time to record
  await expect(page.getByTestId('rescue-clock')).toHaveCount(0)
  await expect(page.getByTestId('released-at')).toHaveCount(0)
  await expect(page.getByTestId('scan-label')).toBeVisible()
  await page.screenshot({ path: '/tmp/entrapment-fault-order.png', fullPage: true })
})
