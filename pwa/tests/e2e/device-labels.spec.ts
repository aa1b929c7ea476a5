import type { Page } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { apiToken, createHazardViaApi, firstDevice, makeJpeg, uiLogin, waitSynced } from './helpers'

// Proof of presence set up on the device page at 390 px: the zone inspector issues the car-top (轿顶) label of an
// elevator, sees and prints its QR code, and registers the device's place from the phone's location. Then the
// rectification form records where its after-photo came from, offline, and the hazard shows that evidence.

async function openLabelsTab(page: Page, deviceId: number | string): Promise<void> {
  await page.goto(`/devices/${deviceId}?tab=labels`)
  await expect(page.getByTestId('position-labels')).toBeVisible()
}

test('an inspector issues a car-top label, sees its QR code and registers the device place', async ({
  page,
  context,
  request,
}) => {
  const token = await apiToken(request, 'inspector1')
  const auth = { Authorization: `Bearer ${token}` }
  const list = await request.get('/api/devices?category=elevator&status=in_use&per_page=1', { headers: auth })
  const device = (await list.json()).items[0]
  // a run on a city where the label exists already starts from none
  await request.delete(`/api/devices/${device.id}/labels/car_top`, { headers: auth })

  await context.grantPermissions(['geolocation'])
  const here = { latitude: 36.66012, longitude: 117.02034, accuracy: 9 }
  await context.setGeolocation(here)
  await uiLogin(page, 'inspector1')
  await openLabelsTab(page, device.id)
  const carTop = page.getByTestId('label-car_top')
  await expect(carTop).toContainText('轿顶')
  await expect(carTop).toContainText('未签发')
  await page.screenshot({ path: '/tmp/trust-labels-before.png', fullPage: true })

  await page.getByTestId('issue-car_top').click()
  const qr = page.getByTestId('label-qr')
  await expect(qr).toBeVisible()
  await expect(qr).toContainText('轿顶')
  const image = qr.getByRole('img', { name: '轿顶二维码' })
  await expect.poll(() => image.evaluate(img => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100)
  await expect(qr.getByTestId('print-label')).toBeVisible()
  await page.screenshot({ path: '/tmp/trust-labels-qr.png' })

  const issued = (await (await request.get(`/api/devices/${device.id}`, { headers: auth })).json()).position_labels
  const label = issued.find((l: { position: string }) => l.position === 'car_top')
  expect(label).toBeTruthy()
  // the printed code is the label's own token: it names this device at the car-top position
  const scanned = await (await request.get(`/api/qr/${label.token}`, { headers: auth })).json()
  expect(String(scanned.device.id)).toBe(String(device.id))
  expect(scanned.position_label).toBe('轿顶')

  await page.locator('.van-popup__close-icon').click()
  await expect(qr).toHaveCount(0)
  await expect(carTop).toContainText('使用中')
  await expect(carTop).toContainText('签发于')

  // the label's menu shows its QR code again (re-issue and revoke ask first)
  await carTop.click()
  await page.getByRole('button', { name: '作废' }).click()
  await expect(page.getByRole('dialog').filter({ hasText: '作废轿顶标签' })).toBeVisible()
  await page.getByRole('button', { name: '取消' }).last().click()
  await expect(carTop).toContainText('使用中')

  // the registered place, from where the inspector stands
  await page.getByTestId('edit-place').click()
  await page.getByTestId('place-here').click()
  await expect(page.getByTestId('place-lat').locator('input')).toHaveValue(String(here.latitude))
  await expect(page.getByTestId('place-lng').locator('input')).toHaveValue(String(here.longitude))
  await page.screenshot({ path: '/tmp/trust-place-form.png', fullPage: true })
  await page.getByTestId('save-place').click()
  await expect(page.getByTestId('device-place-value')).toContainText(`${here.latitude}, ${here.longitude}`)
  const saved = await (await request.get(`/api/devices/${device.id}`, { headers: auth })).json()
  expect([saved.latitude, saved.longitude]).toEqual([here.latitude, here.longitude])
  await page.screenshot({ path: '/tmp/trust-place-saved.png', fullPage: true })

  // the English switch words the tab too
  await page.evaluate(() => localStorage.setItem('sesv.locale', 'en'))
  await openLabelsTab(page, device.id)
  await expect(page.getByTestId('label-car_top')).toContainText('Car top')
  await page.screenshot({ path: '/tmp/trust-labels-en.png', fullPage: true })
})

test('a safety manager sees the labels but cannot register the place', async ({ page, request }) => {
  const token = await apiToken(request, 'manager1')
  const device = await firstDevice(request, token)
  await uiLogin(page, 'manager1')
  await openLabelsTab(page, device.id)
  await expect(page.getByTestId('device-place')).toBeVisible()
  await expect(page.getByTestId('edit-place')).toHaveCount(0)
})

test('the rectification form records its after-photo provenance offline and the hazard shows its evidence', async ({
  page,
  context,
  request,
}) => {
  const token = await apiToken(request, 'manager1')
  const auth = { Authorization: `Bearer ${token}` }
  const device = await firstDevice(request, token)
  await page.goto('/login')
  const id = await createHazardViaApi(page, request, token, device.id, `整改照片来源 e2e ${Date.now()}`)
  await context.grantPermissions(['geolocation'])
  await context.setGeolocation({ latitude: 36.6512, longitude: 117.1201, accuracy: 25 })
  await uiLogin(page, 'manager1')
  const after = await makeJpeg(page, 41)
  await page.goto(`/hazards/${id}`)
  await expect(page.getByTestId('hazard-status')).toHaveText('已上报')

  await context.setOffline(true)
  await page.getByTestId('action-submit_rectification').click()
  const dialog = page.getByRole('dialog', { name: '提交整改' })
  await dialog.getByRole('textbox').first().fill('已更换压力表')
  await dialog.getByTestId('photo-input').setInputFiles([{ name: 'after.jpg', mimeType: 'image/jpeg', buffer: after }])
  await expect(dialog.getByTestId('photo-thumb')).toHaveCount(1)
  await dialog.getByRole('button', { name: '提交' }).click()
  await expect(page.getByTestId('hazard-status')).toHaveText('待复核')
  await context.setOffline(false)
  await page.getByTestId('sync-now').click()
  await waitSynced(page)

  const server = await (await request.get(`/api/hazards/${id}`, { headers: auth })).json()
  const step = server.events.find((e: { action: string }) => e.action === 'submit_rectification')
  const sha = server.photos.find((p: { stage: string }) => p.stage === 'after').sha256
  expect(step.presence.photos[sha]).toMatchObject({ source: 'gallery' })
  expect(step.presence.geolocation).toMatchObject({ lat: 36.6512, lng: 117.1201 })
  expect(step.evidence.warnings).toContain('gallery_photo')

  // the phone shows the server's record once the sync has brought it back
  await page.reload()
  const evidence = page.getByTestId('after-evidence')
  await expect(evidence).toBeVisible({ timeout: 30_000 })
  await expect(evidence.getByTestId('evidence-badge')).toHaveText('到场存疑')
  await expect(evidence.getByTestId('evidence-warnings')).toContainText('含相册选取的照片')
  await page.screenshot({ path: '/tmp/trust-after-evidence.png', fullPage: true })
})
