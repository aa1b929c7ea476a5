import { expect, test } from '@playwright/test'
import { apiToken, uiLogin } from './helpers'

/** The credit page's facts for the manager's enterprise, as the server states them now. */
async function creditFacts(request: Parameters<typeof apiToken>[0]): Promise<{ id: number, open: number, overdue: number }> {
  const headers = { Authorization: `Bearer ${await apiToken(request, 'manager1')}` }
  const me = await (await request.get('/api/auth/me', { headers })).json()
  const credit = await (await request.get(`/api/credit/enterprises/${me.enterprise_id}`, { headers })).json()
  const values: Record<string, number> = {}
  for (const group of credit.groups) {
    for (const item of group.indicators) values[item.indicator] = item.value
  }
  return { id: me.enterprise_id, open: values.hazards_open, overdue: values.hazards_overdue }
}

test('a safety manager\'s home counts the demo\'s open and overdue hazards as his credit page does, and lists each', async ({ page, request }) => {
  const facts = await creditFacts(request)
  // the demo gives manager1's enterprise several open hazards, some overdue
  expect(facts.open).toBeGreaterThan(1)
  expect(facts.overdue).toBeGreaterThan(0)

  await uiLogin(page, 'manager1')
  const open = page.getByTestId('tile-open-hazards').getByTestId('tile-value')
  const overdue = page.getByTestId('tile-overdue-hazards').getByTestId('tile-value')
  await expect(open).toHaveText(String(facts.open))
  await expect(overdue).toHaveText(String(facts.overdue))
  await page.screenshot({ path: '/tmp/wt-counts-home.png', fullPage: true })

  // the credit page, reached from the home, states the same numbers
  await page.getByTestId('credit-link').click()
  await expect(page).toHaveURL(new RegExp(`/enterprises/${facts.id}/credit$`))
  // the breakdown row of each indicator (the "what to fix" list names the same indicators)
  await expect(page.locator('[data-testid="credit-indicator"][data-indicator="hazards_open"]')).toContainText(`${facts.open} 项`)
  await expect(page.locator('[data-testid="credit-indicator"][data-indicator="hazards_overdue"]')).toContainText(`${facts.overdue} 项`)

  // each tile opens a list with exactly that many hazards
  await page.goto('/')
  await page.getByTestId('tile-open-hazards').click()
  await expect(page).toHaveURL(/\/hazards\?f=open/)
  await expect(page.locator('.hazard-card')).toHaveCount(facts.open)
  await page.screenshot({ path: '/tmp/wt-counts-hazards.png', fullPage: true })
  await page.goto('/')
  await page.getByTestId('tile-overdue-hazards').click()
  await expect(page).toHaveURL(/\/hazards\?f=overdue/)
  await expect(page.locator('.hazard-card')).toHaveCount(facts.overdue)
})

test('the bureau\'s home counts overdue devices and hazards as its dashboard does', async ({ page, request }) => {
  const headers = { Authorization: `Bearer ${await apiToken(request, 'admin')}` }
  const figures = await (await request.get('/api/reports/dashboard', { headers })).json()
  const devices = String(figures.devices.overdue_inspections)
  const hazards = String(figures.hazards.overdue)
  await uiLogin(page, 'admin')
  await expect(page.getByTestId('tile-overdue-devices').getByTestId('tile-value')).toHaveText(devices)
  await expect(page.getByTestId('tile-overdue-hazards').getByTestId('tile-value')).toHaveText(hazards)
  await page.screenshot({ path: '/tmp/wt-counts-admin-home.png' })
  await page.getByTestId('home-dashboard-link').click()
  await expect(page.getByTestId('dashboard-overdue-inspections').locator('.van-cell__value')).toHaveText(devices)
  await expect(page.getByTestId('dashboard-hazards-overdue').locator('.van-cell__value')).toHaveText(hazards)
})
