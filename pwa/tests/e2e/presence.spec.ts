import { expect, test } from '@playwright/test'
import { answerAllItems, apiToken, makeJpeg, uiLogin, waitSynced } from './helpers'

// Proof of presence as the inspector meets it at 390 px: scanning the device's label starts the check, a second
// label (machine room) is scanned from the form, the failed item's photo is taken with the in-app camera, the phone
// shares its location next to the device's registered place, and the check and its hazard show "到场" (on site).
test('an inspection with scanned labels, a camera photo and location granted is shown as on site', async ({ page, context, request }) => {
  const token = await apiToken(request, 'inspector1')
  const auth = { Authorization: `Bearer ${token}` }
  const devices = (await (await request.get('/api/devices?category=elevator&status=in_use&per_page=1', { headers: auth })).json()).items
  const device = devices[0]
  expect(device.latitude).not.toBeNull()
  const label = await request.post(`/api/devices/${device.id}/labels`, { headers: auth, data: { position: 'machine_room' } })
  expect(label.status()).toBe(201)
  const machineRoom = await label.json()

  await context.grantPermissions(['geolocation'])
  await context.setGeolocation({ latitude: device.latitude + 0.0002, longitude: device.longitude + 0.0001, accuracy: 15 })
  await uiLogin(page, 'inspector1')
  const photo = await makeJpeg(page, 31)

  // the label on the device starts the visit
  await page.goto('/scan')
  await page.getByLabel('手动输入').locator('input').fill(device.qr_url)
  await page.getByTestId('manual-go').click()
  await expect(page).toHaveURL(new RegExp(`/devices/${device.id}$`))
  await page.getByTestId('inspect-device').click()
  await expect(page).toHaveURL(/\/inspection\/routine\?device=/)
  await expect(page.getByTestId('scan-count')).toContainText('1 个')
  await expect(page.getByTestId('geolocation-state')).toContainText('已定位')

  // the machine room's label, scanned from the form
  await page.getByTestId('scan-more').click()
  await page.getByTestId('label-manual').locator('input').fill(machineRoom.qr_url)
  await page.getByTestId('label-manual-go').click()
  await expect(page.getByTestId('scan-count')).toContainText('2 个')
  await expect(page.getByTestId('scan-list')).toContainText('机房')
  await page.getByTestId('presence').screenshot({ path: '/tmp/presence-form.png' })

  const item = page.getByTestId('check-item').first()
  await item.getByTestId('item-fail').click()
  await item.getByTestId('item-note').locator('input').fill('机房通风不良')
  await item.getByTestId('photo-camera-input').setInputFiles({ name: 'live.jpg', mimeType: 'image/jpeg', buffer: photo })
  await expect(item.getByTestId('photo-thumb')).toHaveCount(1)
  await answerAllItems(page)
  await page.getByTestId('submit-check').click()
  await expect(page).toHaveURL(new RegExp(`/devices/${device.id}$`))
  await waitSynced(page)

  const checks = (await (await request.get(`/api/checks?device_id=${device.id}&kind=inspection&mine=true&per_page=1`, { headers: auth })).json()).items
  const check = checks[0]
  expect(check.presence.scans.map((s: { position: string | null }) => s.position)).toEqual([null, 'machine_room'])
  expect(Object.values(check.presence.photos)).toMatchObject([{ source: 'camera' }])
  expect(check.evidence).toMatchObject({ on_site: true, warnings: [] })

  await page.goto(`/check-records/${check.id}`)
  await expect(page.getByTestId('evidence-badge')).toHaveText('到场')
  await expect(page.getByTestId('check-scan')).toHaveCount(2)
  await expect(page.getByTestId('check-photo-sources')).toContainText('现场拍摄 1 张')
  await page.screenshot({ path: '/tmp/presence-check.png', fullPage: true })

  await page.goto(`/hazards/${check.hazard_ids[0]}`)
  await expect(page.getByTestId('evidence-badge')).toHaveText('到场')
  await page.screenshot({ path: '/tmp/presence-hazard.png', fullPage: true })

  // the English switch words it too
  await page.evaluate(() => localStorage.setItem('sesv.locale', 'en'))
  await page.goto(`/check-records/${check.id}`)
  await page.screenshot({ path: '/tmp/presence-check-en.png', fullPage: true })
})
