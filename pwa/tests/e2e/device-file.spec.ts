import { readFile } from 'node:fs/promises'
import { expect, test } from '@playwright/test'
import { apiToken, firstDevice, makeJpeg, uiLogin } from './helpers'

/** A China-time day, `days` from today, as the date inputs take it. */
function day(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' })
}

test('manager1 enters an inspection record with a report photo, inspector1 confirms it, the device follows', async ({
  page,
  browser,
  request,
}) => {
  const device = await firstDevice(request, await apiToken(request, 'manager1'))
  const inspectedOn = day(-12)
  const nextDue = day(353)
  const reportNo = `DT-E2E-${Date.now() % 100000}`

  await uiLogin(page, 'manager1')
  await page.goto(`/devices/${device.id}`)
  await page.getByRole('tab', { name: '定期检验' }).click()
  await page.getByTestId('add-inspection-record').click()
  await page.getByTestId('record-inspected-on').locator('input').fill(inspectedOn)
  await page.getByTestId('record-agency').locator('input').fill('市特种设备检验研究院')
  await page.getByTestId('record-report-no').locator('input').fill(reportNo)
  await page.getByTestId('record-next-due').locator('input').fill(nextDue)
  const photo = await makeJpeg(page, 41)
  await page.getByTestId('photo-input').setInputFiles([{ name: 'report.jpg', mimeType: 'image/jpeg', buffer: photo }])
  await expect(page.getByTestId('photo-thumb')).toHaveCount(1)
  await page.screenshot({ path: '/tmp/ledger-record-form.png' })
  await page.getByTestId('save-inspection-record').click()

  const record = page.getByTestId('inspection-record').filter({ hasText: reportNo })
  await expect(record.getByTestId('inspection-record-status')).toHaveText('待核验')
  await expect(record.locator('img')).toHaveCount(1)
  await expect(page.getByTestId('inspection-pending-tag')).toBeVisible()
  await page.getByRole('tab', { name: '基本信息' }).click()
  await expect(page.getByTestId('device-next-due')).not.toContainText(nextDue)
  await page.screenshot({ path: '/tmp/ledger-record-pending.png', fullPage: true })

  // the inspector, on a phone of their own
  const baseURL = process.env.E2E_BASE_URL ?? `http://127.0.0.1:${process.env.E2E_PORT ?? '8765'}`
  const inspectorContext = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 } })
  const inspector = await inspectorContext.newPage()
  await uiLogin(inspector, 'inspector1')
  await inspector.goto(`/devices/${device.id}?tab=inspections`)
  const pending = inspector.getByTestId('inspection-record').filter({ hasText: reportNo })
  await pending.getByTestId('confirm-inspection-record').click()
  await inspector.getByRole('dialog').getByRole('button', { name: '核验通过' }).click()
  await expect(pending.getByTestId('inspection-record-status')).toHaveText('已核验')
  await inspector.getByRole('tab', { name: '基本信息' }).click()
  await expect(inspector.getByTestId('device-next-due')).toContainText(nextDue)
  await expect(inspector.getByTestId('inspection-pending-tag')).toHaveCount(0)
  await inspector.screenshot({ path: '/tmp/ledger-record-confirmed.png', fullPage: true })
  await inspectorContext.close()

  // back on the manager's phone: the new due date, and the ledger as a spreadsheet
  await page.reload()
  await expect(page.getByTestId('device-next-due')).toContainText(nextDue)
  await page.goto('/devices')
  await page.screenshot({ path: '/tmp/ledger-device-list.png' })
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-devices').click()])
  expect(download.suggestedFilename()).toMatch(/^设备台账-\d{4}-\d{2}-\d{2}\.xlsx$/)
  const bytes = await readFile(await download.path())
  expect(bytes.subarray(0, 2).toString()).toBe('PK')
  expect(bytes.length).toBeGreaterThan(2000)
})

test('the import screen checks a file row by row in Chinese and imports nothing when a row is wrong', async ({
  page,
}) => {
  await uiLogin(page, 'manager1')
  await page.goto('/devices')
  await page.getByTestId('open-import').click()
  await expect(page).toHaveURL(/\/devices\/import$/)
  const csv = [
    '统一社会信用代码,设备类别,使用登记证编号,状态,下次检验日期',
    '91310000MA1FL0XX0X,飞机,梯E2E0001,在用,2027年3月1日',
  ].join('\n')
  await page
    .getByTestId('import-file')
    .setInputFiles([{ name: '台账.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) }])
  await expect(page.getByTestId('import-row-error')).toHaveCount(1)
  await expect(page.getByTestId('import-row-error')).toContainText('第 2 行')
  await expect(page.getByTestId('import-row-error')).toContainText('设备类别')
  await expect(page.getByTestId('import-run')).toHaveCount(0)
  await page.screenshot({ path: '/tmp/ledger-import-errors.png', fullPage: true })
})
