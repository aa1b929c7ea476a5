import { writeFileSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { chromium, expect, test } from '@playwright/test'
import { CHROMIUM_ARGS } from '../../playwright.config'
import { apiToken, makeJpeg, uiLogin, waitSynced } from './helpers'
import { pngToY4m } from './y4m'

interface Order {
  id: number
  device_id: number
  enterprise_id: number
  kind: string
  items: Array<{ code: string; photo: boolean }>
}

async function signOut(page: Page): Promise<void> {
  await page.goto('/me')
  await page.getByTestId('logout').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/login/)
}

async function sign(page: Page): Promise<void> {
  // the scan's toast sits mid-screen, over the pad once it is scrolled into view
  await page.locator('.van-toast').first().waitFor({ state: 'hidden' })
  const pad = page.getByTestId('signature-pad')
  await pad.scrollIntoViewIfNeeded()
  const box = (await pad.boundingBox())!
  await page.mouse.move(box.x + 20, box.y + box.height / 2)
  await page.mouse.down()
  for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 20 + i * 22, box.y + box.height / 2 + (i % 2 ? -25 : 25))
  await page.mouse.up()
  await expect(page.getByText('已签名', { exact: true })).toBeVisible()
}

// Paperless elevator maintenance on the demo city at 390 px: maint1 does a half-monthly order offline in the lift
// (scans the label with the camera, answers the T5002 items, live photos, signs), syncs when back online;
// manager1 (the using unit) confirms on the phone; a passenger scanning the label sees the confirmed maintenance.
test('a half-monthly maintenance goes from the worker offline to the public page', async ({ request, baseURL }, testInfo) => {
  test.setTimeout(240_000)
  const workerToken = await apiToken(request, 'maint1')
  const managerToken = await apiToken(request, 'manager1')
  const me = await (await request.get('/api/auth/me', { headers: { Authorization: `Bearer ${managerToken}` } })).json()
  const mine = await (await request.get('/api/maintenance/orders?mine=true&per_page=100', { headers: { Authorization: `Bearer ${workerToken}` } })).json()
  const order = (mine.items as Order[]).find(o => o.kind === 'half_month' && o.enterprise_id === me.enterprise_id)
  expect(order, 'maint1 has a half-monthly order on manager1\'s elevators').toBeTruthy()
  const device = await (await request.get(`/api/devices/${order!.device_id}`, { headers: { Authorization: `Bearer ${managerToken}` } })).json()
  const label = await request.get(`/api/devices/${device.id}/label.png`, { headers: { Authorization: `Bearer ${managerToken}` } })
  expect(label.ok()).toBeTruthy()
  const y4mPath = testInfo.outputPath('label.y4m')
  writeFileSync(y4mPath, pngToY4m(await label.body()))

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${y4mPath}`,
    ],
  })
  try {
    const context = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, locale: 'zh-CN', permissions: ['camera'] })
    const page = await context.newPage()

    // the worker's orders are on the phone before the lift shaft
    await uiLogin(page, 'maint1')
    await page.screenshot({ path: '/tmp/maint-home-worker.png', fullPage: true })
    await page.getByTestId('maintenance-orders-link').click()
    await expect(page.getByTestId('order-row').first()).toBeVisible()
    await page.screenshot({ path: '/tmp/maint-orders.png', fullPage: true })
    await context.setOffline(true)
    await page.goto(`/maintenance/orders/${order!.id}`)
    await expect(page.getByTestId('order-item')).toHaveCount(order!.items.length)

    // arrival: the camera reads the car's label
    await page.getByTestId('scan-label').click()
    await expect(page.getByTestId('scan-row')).toHaveCount(1, { timeout: 30_000 })
    await page.getByTestId('all-ok').click()
    let seed = 60
    for (const [index, item] of order!.items.entries()) {
      if (!item.photo) continue
      const row = page.getByTestId('order-item').nth(index)
      await row.getByTestId('photo-input').setInputFiles([{ name: `${item.code}.jpg`, mimeType: 'image/jpeg', buffer: await makeJpeg(page, seed++) }])
      await expect(row.getByTestId('photo-thumb')).toHaveCount(1)
    }
    // leaving: the label again
    await page.getByTestId('scan-label').click()
    await expect(page.getByTestId('scan-row')).toHaveCount(2, { timeout: 30_000 })
    await sign(page)
    await page.screenshot({ path: '/tmp/maint-order-filled.png', fullPage: true })
    await page.getByTestId('submit-record').click()
    await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
    await expect(page).toHaveURL(/\/maintenance\/orders$/)
    const row = page.getByTestId('order-row').filter({ hasText: device.registration_no })
    await expect(row).toContainText('已提交，待同步')
    await expect(page.getByTestId('sync-status')).toContainText('1 条待上传')
    await page.screenshot({ path: '/tmp/maint-orders-offline.png', fullPage: true })

    // back online: photos, signature and the record go up once
    await context.setOffline(false)
    await page.getByTestId('sync-now').click()
    await waitSynced(page)
    // the demo elevator has its past records too (confirmed or disputed): this order's is the one awaiting
    const records = await (await request.get(`/api/maintenance/records?device_id=${device.id}`, { headers: { Authorization: `Bearer ${managerToken}` } })).json()
    const mineNow = (records.items as Array<{ order_id: number, status: string, items: Array<{ photos: string[] }> }>).filter(r => r.order_id === order!.id)
    expect(mineNow).toHaveLength(1)
    expect(records.items.filter((r: { status: string }) => r.status === 'awaiting_confirmation')).toHaveLength(1)
    expect(mineNow[0]!.status).toBe('awaiting_confirmation')
    expect(mineNow[0]!.items.filter(i => i.photos.length)).toHaveLength(order!.items.filter(i => i.photo).length)
    await signOut(page)

    // the using unit's safety manager confirms on the phone
    await uiLogin(page, 'manager1')
    await page.getByTestId('maintenance-records-link').click()
    await page.getByTestId('record-row').filter({ hasText: device.registration_no }).click()
    await expect(page.getByTestId('record-status')).toHaveText('待使用单位确认')
    // the certificate the record was accepted on: maint1's, verified by the bureau (demo T…001)
    await expect(page.getByTestId('record-certificate')).toContainText(/维保工1一 T\d{4}001/)
    await page.screenshot({ path: '/tmp/maint-record-manager.png', fullPage: true })
    await page.getByTestId('confirm-record').click()
    await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
    await expect(page.getByTestId('record-status')).toHaveText('已确认')
    await context.close()

    // a passenger scans the label in the car
    const passenger = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, locale: 'zh-CN' })
    const publicPage = await passenger.newPage()
    await publicPage.goto(`/q/${device.qr_token}`)
    await expect(publicPage.getByTestId('public-last-maintenance')).toContainText('半月维保')
    await expect(publicPage.getByTestId('public-maintenance-confirmed')).toHaveText('使用单位已确认')
    await expect(publicPage.getByTestId('public-next-maintenance')).toContainText(/\d{4}-\d{2}-\d{2}/)
    await expect(publicPage.locator('body')).not.toContainText('维保工')
    await publicPage.screenshot({ path: '/tmp/maint-public.png', fullPage: true })
    await passenger.close()
  }
  finally {
    await browser.close()
  }
})
