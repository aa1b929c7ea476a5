import { expect, test } from '@playwright/test'
import { apiToken, uiLogin, waitSynced } from './helpers'

test('the bureau publishes version 2 of a daily checklist; the safety manager\'s daily self-check shows the new item after going online', async ({ page, browser, request }) => {
  const managerAuth = { Authorization: `Bearer ${await apiToken(request, 'manager1')}` }
  const devices = (await (await request.get('/api/devices?per_page=100', { headers: managerAuth })).json()).items
  const templates = (await (await request.get('/api/checklist-templates?purpose=daily_device', { headers: managerAuth })).json()).items
  const device = devices.find((d: { status: string, category: string }) =>
    d.status === 'in_use' && templates.some((tp: { device_category: string }) => tp.device_category === d.category))
  expect(device).toBeTruthy()
  const before = templates.find((tp: { device_category: string }) => tp.device_category === device.category)
  const newText = `E2E新增：安全警示标识清晰完整 ${Date.now()}`
  const formUrl = `/self-check/daily?device=${device.id}`

  // the safety manager has the current checklist on the phone and is offline in the field
  const field = await browser.newContext()
  const phone = await field.newPage()
  await uiLogin(phone, 'manager1')
  await field.setOffline(true)
  await phone.goto(formUrl)
  await expect(phone.getByTestId('check-item').first()).toBeVisible()
  await expect(phone.getByText(newText)).toHaveCount(0)

  // the bureau edits the checklist and publishes it as a new version
  await uiLogin(page, 'admin')
  await page.getByTestId('templates-link').click()
  await page.getByTestId(`template-${before.code}`).click()
  await expect(page.getByTestId('template-title')).toContainText(`v${before.version}`)
  await page.getByTestId('template-edit').click()
  const title = page.getByTestId('template-title-input').locator('input')
  await title.fill('x')
  await page.getByTestId('template-publish').click()
  await expect(page.getByText('名称须为 2–120 个字')).toBeVisible()
  await title.fill(before.title)
  const section = page.getByTestId('section-editor').first()
  await section.getByTestId('item-add').click()
  await page.getByTestId('template-publish').click()
  await expect(page.getByText('检查项内容须为 2–300 个字')).toBeVisible()
  await section.getByTestId('item-text').last().locator('textarea').fill(newText)
  await page.getByTestId('template-publish').click()
  const confirm = page.locator('.van-dialog')
  await expect(confirm).toContainText(`发布第 ${before.version + 1} 版`)
  await expect(confirm).toContainText('已提交的检查记录不受影响')
  await confirm.getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/admin\/templates\/\d+$/)
  await expect(page.getByTestId('template-title')).toContainText(`v${before.version + 1}`)
  await expect(page.getByTestId('template-item').filter({ hasText: newText })).toHaveCount(1)

  // back online, the phone syncs and the daily form uses the new version
  await field.setOffline(false)
  await phone.getByTestId('sync-now').click()
  await waitSynced(phone)
  await expect(async () => {
    await phone.goto(formUrl)
    await expect(phone.getByText(newText)).toBeVisible({ timeout: 3_000 })
  }).toPass({ timeout: 30_000 })
  await expect(phone.getByTestId('check-version-note')).toContainText(`第 ${before.version + 1} 版`)
  await field.close()
})
