import { expect, test } from '@playwright/test'
import { uiLogin } from './helpers'

test('an inspector opens the dashboard: figures of the zone and the lazily loaded charts', async ({ page }) => {
  const chartRequests: string[] = []
  page.on('request', (r) => {
    if (/DashboardView|DashboardChart/.test(r.url()))
      chartRequests.push(r.url())
  })
  // ECharts is not part of the shell: the sign-in page loads without it (after the first sync the service worker
  // fetches every screen for offline use, charts included, so the check is made before that)
  await page.goto('/login')
  await expect(page.getByPlaceholder('用户名')).toBeVisible()
  expect(chartRequests).toHaveLength(0)
  await uiLogin(page, 'inspector1')
  await page.goto('/me')
  await page.getByTestId('dashboard-link').click()
  await expect(page).toHaveURL(/\/dashboard$/)
  const dashboard = page.getByTestId('dashboard')
  await expect(dashboard).toContainText('城东分局')
  await expect(dashboard).toContainText('超期未检')
  await expect(dashboard).toContainText('信用风险等级分布')
  // the demo's current mutual-check round: completion per block of the zone
  await expect(dashboard).toContainText('区块互查完成情况')
  await expect(page.getByTestId('mutual-checks')).toContainText(/第1区块[\d.]+%\d+ \/ \d+/)
  await expect(dashboard.locator('canvas')).toHaveCount(2)
})

test('a safety manager has no dashboard link', async ({ page }) => {
  await uiLogin(page, 'manager1')
  await page.goto('/me')
  await expect(page.getByTestId('outbox-link')).toBeVisible()
  await expect(page.getByTestId('dashboard-link')).toHaveCount(0)
})
