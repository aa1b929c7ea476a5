import { readFileSync } from 'node:fs'
import { expect, test } from '@playwright/test'
import { uiLogin } from './helpers'

/** the month whose report is due (the previous one), as the app picks it */
function monthDue(): string {
  const now = new Date()
  const previous = new Date(now.getFullYear(), now.getMonth() - 1, 1)
  return `${previous.getFullYear()}-${String(previous.getMonth() + 1).padStart(2, '0')}`
}

test('inspector1 previews, writes and submits the monthly report, downloads it; the bureau sees it', async ({ browser }) => {
  const month = monthDue()
  const inspector = await browser.newPage()
  await uiLogin(inspector, 'inspector1')
  await inspector.getByTestId('monthly-report-link').click()
  await expect(inspector).toHaveURL(/\/reports\/monthly$/)
  const report = inspector.getByTestId('monthly-report')
  await expect(inspector.getByTestId('month-label')).toHaveText(`${month} 月`)
  await expect(report).toContainText('城东分局')
  await expect(inspector.getByTestId('monthly-live')).toBeVisible()
  await expect(inspector.getByTestId('monthly-self-checks')).toContainText('日管控')
  await expect(inspector.getByTestId('monthly-key-devices')).toContainText('作业人员持证率')
  await expect(inspector.getByTestId('monthly-hazards')).toContainText('重大隐患')
  await expect(report).toContainText('万台设备事故率（目标 < 0.2）')
  await inspector.screenshot({ path: '/tmp/monthly-preview.png', fullPage: true })

  await inspector.getByTestId('monthly-summary').locator('textarea').fill('区块互查全覆盖，隐患闭环率提高。')
  await inspector.getByTestId('monthly-problems').locator('textarea').fill('部分企业周排查漏检。')
  await inspector.getByTestId('monthly-next_steps').locator('textarea').fill('建议市局统一日管控检查表。')
  await inspector.getByTestId('monthly-submit').click()
  const dialog = inspector.getByRole('dialog')
  await expect(dialog).toContainText('提交后本月数据将冻结')
  await inspector.screenshot({ path: '/tmp/monthly-confirm.png' })
  await dialog.getByRole('button', { name: '确认' }).click()

  await expect(inspector.getByTestId('monthly-frozen')).toHaveText('已报送 · 数据已冻结')
  await expect(inspector.getByTestId('monthly-narrative')).toContainText('部分企业周排查漏检。')
  await expect(inspector.getByTestId('monthly-form')).toHaveCount(0)
  await inspector.screenshot({ path: '/tmp/monthly-frozen.png', fullPage: true })

  const [download] = await Promise.all([
    inspector.waitForEvent('download'),
    inspector.getByTestId('monthly-xlsx').click(),
  ])
  expect(download.suggestedFilename()).toBe(`工作小结-城东分局-${month}.xlsx`)
  const saved = `/tmp/monthly-e2e-${month}.xlsx`
  await download.saveAs(saved)
  expect(readFileSync(saved).subarray(0, 2).toString()).toBe('PK')

  const bureau = await browser.newPage()
  await uiLogin(bureau, 'admin')
  await bureau.getByTestId('monthly-submissions-link').click()
  await expect(bureau).toHaveURL(/\/reports\/monthly\/submissions$/)
  const list = bureau.getByTestId('monthly-submissions')
  await expect(list).toContainText('已报送 1')
  const row = list.locator('[data-testid^="zone-submission-"]', { hasText: '城东分局' })
  await expect(row).toContainText('已报送')
  await bureau.screenshot({ path: '/tmp/monthly-bureau-list.png', fullPage: true })
  await row.click()
  await expect(bureau.getByTestId('monthly-frozen')).toBeVisible()
  await expect(bureau.getByTestId('monthly-narrative')).toContainText('建议市局统一日管控检查表。')
  await expect(bureau.getByTestId('monthly-form')).toHaveCount(0)
})
