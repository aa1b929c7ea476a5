import { expect, test } from '@playwright/test'
import { apiToken, firstDevice, uiLogin } from './helpers'

function day(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' })
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n')

test('manager1 adds a safety valve and a PDF certificate, sees the history; inspector1 confirms the valve', async ({
  page,
  browser,
  request,
}) => {
  const device = await firstDevice(request, await apiToken(request, 'manager1'))
  const reportNo = `AQF-${Date.now() % 100000}`
  const nextDue = day(300)

  await uiLogin(page, 'manager1')
  await page.goto(`/devices/${device.id}`)
  await page.getByRole('tab', { name: '安全附件' }).click()
  await page.getByTestId('add-accessory').click()
  await page.getByTestId('accessory-serial').locator('input').fill('SV-E2E-01')
  await page.getByTestId('accessory-checked-on').locator('input').fill(day(-65))
  await page.getByTestId('accessory-agency').locator('input').fill('市计量检定所')
  await page.getByTestId('accessory-report-no').locator('input').fill(reportNo)
  await page.getByTestId('accessory-next-due').locator('input').fill(nextDue)
  await expect(page.getByTestId('save-accessory')).toBeVisible()
  await page.screenshot({ path: '/tmp/devfile-accessory-form.png' })
  await page.getByTestId('save-accessory').click()
  const record = page.getByTestId('accessory-record').filter({ hasText: reportNo })
  await expect(record.getByTestId('accessory-record-status')).toHaveText('待核验')
  await page.screenshot({ path: '/tmp/devfile-accessory-pending.png', fullPage: true })

  await page.getByRole('tab', { name: '附件', exact: true }).click()
  await page.getByTestId('add-attachment').click()
  await page.getByTestId('attachment-title').locator('input').fill('曳引机合格证')
  await page
    .getByTestId('attachment-file')
    .setInputFiles([{ name: '合格证.pdf', mimeType: 'application/pdf', buffer: PDF }])
  await page.getByTestId('save-attachment').click()
  await expect(page.getByTestId('attachment').filter({ hasText: '曳引机合格证' })).toContainText('产品合格证')
  await page.screenshot({ path: '/tmp/devfile-attachments.png', fullPage: true })
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('attachment').filter({ hasText: '曳引机合格证' }).first().click(),
  ])
  expect(download.suggestedFilename()).toBe('曳引机合格证.pdf')

  // the inspector confirms the valve's record: the device's accessory date follows, in its history
  const baseURL = process.env.E2E_BASE_URL ?? `http://127.0.0.1:${process.env.E2E_PORT ?? '8765'}`
  const inspectorContext = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 } })
  const inspector = await inspectorContext.newPage()
  await uiLogin(inspector, 'inspector1')
  await inspector.goto(`/devices/${device.id}?tab=accessories`)
  const pending = inspector.getByTestId('accessory-record').filter({ hasText: reportNo })
  await pending.getByTestId('confirm-accessory-record').click()
  await inspector.getByRole('dialog').getByRole('button', { name: '核验通过' }).click()
  await expect(pending.getByTestId('accessory-record-status')).toHaveText('已核验')
  await inspector.screenshot({ path: '/tmp/devfile-accessory-confirmed.png', fullPage: true })
  await inspectorContext.close()

  await page.goto(`/devices/${device.id}?tab=history`)
  const entry = page.getByTestId('history-entry').filter({ hasText: '安全附件下次校验' }).first()
  await expect(entry).toContainText(nextDue)
  await expect(entry).toContainText('inspector1')
  await expect(entry).toContainText(reportNo)
  await page.screenshot({ path: '/tmp/devfile-history.png', fullPage: true })
})

test('manager1 registers an old elevator, finds it with the old-elevator filter and edits its name', async ({
  page,
}) => {
  const registrationNo = `梯E2E${Date.now() % 1000000}`
  const installed = day(-16 * 366)
  await uiLogin(page, 'manager1')
  await page.goto('/devices')
  await page.getByTestId('register-device').click()
  await page.getByTestId('device-category').selectOption('elevator')
  await page.getByTestId('device-registration-no').locator('input').fill(registrationNo)
  await page.getByTestId('device-name-input').locator('input').fill('1号住宅客梯')
  await page.getByTestId('device-installed-on').locator('input').fill(installed)
  await page.screenshot({ path: '/tmp/devfile-register.png', fullPage: true })
  await page.getByTestId('save-device').click()
  await expect(page.getByTestId('device-name')).toHaveText('1号住宅客梯')
  await expect(page.getByText('老旧电梯')).toBeVisible()

  await page.goto('/devices?old=1')
  await expect(page.getByText(registrationNo)).toBeVisible()
  await page.screenshot({ path: '/tmp/devfile-old-elevators.png' })
  await page.getByText(registrationNo).click()
  await page.getByTestId('edit-device').click()
  await page.getByTestId('device-name-input').locator('input').fill('1号住宅客梯（东）')
  await page.getByTestId('device-reason').locator('input').fill('更正名称')
  await page.getByTestId('save-device').click()
  await expect(page.getByTestId('device-name')).toHaveText('1号住宅客梯（东）')
  await page.getByRole('tab', { name: '变更记录' }).click()
  await expect(page.getByTestId('history-entry').filter({ hasText: '更正名称' })).toContainText('1号住宅客梯（东）')
})
