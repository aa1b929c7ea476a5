import { expect, test } from '@playwright/test'
import { answerAllItems, apiToken, makeJpeg, uiLogin, waitSynced } from './helpers'

function localDate(d = new Date()): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

test('the safety manager does a daily self-check offline with a failed item and a photo; one check and one hazard once online', async ({ page, context, request }) => {
  const auth = { Authorization: `Bearer ${await apiToken(request, 'manager1')}` }
  const today = localDate()
  const templates = (await (await request.get('/api/checklist-templates?purpose=daily_device', { headers: auth })).json()).items
  const categories = new Set(templates.map((tp: { device_category: string }) => tp.device_category))
  const devices = (await (await request.get('/api/devices?per_page=100', { headers: auth })).json()).items
  // a device in use with a checklist for its category and no check today yet
  const device = devices.find((d: { status: string, category: string, last_self_check: { on: string } | null }) =>
    d.status === 'in_use' && categories.has(d.category) && d.last_self_check?.on !== today)
  expect(device).toBeTruthy()
  const todays = async () => (await (await request.get(`/api/checks?device_id=${device.id}&kind=self_check&per_page=100`, { headers: auth })).json())
    .items.filter((c: { performed_on: string }) => c.performed_on === today)
  expect(await todays()).toHaveLength(0)

  await uiLogin(page, 'manager1')
  const photo = await makeJpeg(page, 21)

  await context.setOffline(true)
  await page.goto(`/devices/${device.id}`)
  await expect(page.getByTestId('device-name')).toHaveText(device.name)
  await page.getByTestId('daily-check').click()
  await expect(page).toHaveURL(/\/self-check\/daily\?device=/)
  await expect(page.getByTestId('check-enterprise')).toHaveText(device.name)
  const item = page.getByTestId('check-item').first()
  await item.getByTestId('item-fail').click()
  await item.getByTestId('item-note').locator('input').fill('日常检查发现问题：防护罩松动')
  await item.getByTestId('photo-input').setInputFiles({ name: 'daily.jpg', mimeType: 'image/jpeg', buffer: photo })
  await expect(item.getByTestId('photo-thumb')).toHaveCount(1)
  await answerAllItems(page)
  await page.getByTestId('submit-check').click()

  await expect(page).toHaveURL(new RegExp(`/devices/${device.id}$`))
  await expect(page.getByTestId('sync-status')).toContainText('1 条待上传')

  await context.setOffline(false)
  await page.getByTestId('sync-now').click()
  await waitSynced(page)

  const checks = await todays()
  expect(checks).toHaveLength(1)
  expect(checks[0]).toMatchObject({ kind: 'self_check', subkind: 'daily', result: 'fail', failed_items: 1 })
  expect(checks[0].hazard_ids).toHaveLength(1)
  const hazard = await (await request.get(`/api/hazards/${checks[0].hazard_ids[0]}`, { headers: auth })).json()
  expect(hazard.source).toBe('self_check')
  expect(hazard.photos).toHaveLength(1)
  await expect(page.getByTestId('last-self-check')).toContainText(`${today} 有问题`)
})

test('the weekly investigation opens from the home summary offline; leaving a half-filled form asks first', async ({ page, context, request }) => {
  const auth = { Authorization: `Bearer ${await apiToken(request, 'manager1')}` }
  const today = localDate()
  await uiLogin(page, 'manager1')
  await expect(page.getByTestId('weekly-check')).toBeVisible()

  await context.setOffline(true)
  await page.getByTestId('weekly-check').click()
  await expect(page).toHaveURL(/\/self-check\/weekly\?enterprise=/)
  const item = page.getByTestId('check-item').first()
  await item.getByTestId('item-fail').click()
  await item.getByTestId('item-note').locator('input').fill('周排查：消防通道堆放杂物')
  await page.goBack()
  const dialog = page.getByRole('dialog')
  await expect(dialog).toContainText('离开检查表')
  await dialog.getByRole('button', { name: '继续填写' }).click()
  await expect(page).toHaveURL(/\/self-check\/weekly/)
  await expect(item.getByTestId('item-note').locator('input')).toHaveValue('周排查：消防通道堆放杂物')
  await answerAllItems(page)
  await page.getByTestId('submit-check').click()
  await expect(page).toHaveURL(/\/$/)

  await context.setOffline(false)
  await page.getByTestId('sync-now').click()
  await waitSynced(page)
  const checks = (await (await request.get('/api/checks?kind=self_check&subkind=weekly&per_page=100', { headers: auth })).json())
    .items.filter((c: { performed_on: string }) => c.performed_on === today)
  expect(checks).toHaveLength(1)
  expect(checks[0]).toMatchObject({ result: 'fail', failed_items: 1, device_id: null })
})

test('a zone inspector records a special supervisory inspection from a device page', async ({ page, request }) => {
  const auth = { Authorization: `Bearer ${await apiToken(request, 'inspector1')}` }
  const device = (await (await request.get('/api/devices?per_page=1', { headers: auth })).json()).items[0]
  await uiLogin(page, 'inspector1')
  await page.goto(`/devices/${device.id}`)
  await page.getByTestId('inspect-device').click()
  await expect(page).toHaveURL(/\/inspection\/routine\?device=/)
  await page.getByTestId('inspection-type').getByText('专项检查').click()
  await page.getByTestId('signed-by').locator('input').fill('检查员甲')
  await answerAllItems(page)
  await page.getByTestId('submit-check').click()
  await expect(page).toHaveURL(new RegExp(`/devices/${device.id}$`))
  await waitSynced(page)
  await expect.poll(async () => (await (await request.get(`/api/checks?kind=inspection&device_id=${device.id}`, { headers: auth })).json()).items
    .filter((c: { signed_by: string }) => c.signed_by === '检查员甲').map((c: { subkind: string, result: string }) => `${c.subkind}/${c.result}`))
    .toEqual(['special/pass'])
})
