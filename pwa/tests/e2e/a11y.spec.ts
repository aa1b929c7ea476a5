// axe-core (WCAG 2.1 A/AA rules) over the public pages and the main signed-in screens of each role on the demo
// city at 390 px: any serious or critical violation fails the run, listed with the page and the elements.
import type { Page } from '@playwright/test'
import AxeBuilder from '@axe-core/playwright'
import { expect, test } from '@playwright/test'
import { apiToken, firstDevice, uiLogin } from './helpers'

const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

interface Finding { page: string, rule: string, impact: string, help: string, targets: string[] }

async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined)
  await page.locator('.van-loading').first().waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined)
  await page.locator('.van-toast').first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined)
  await page.waitForTimeout(300)
}

async function audit(page: Page, name: string, findings: Finding[]): Promise<void> {
  await settle(page)
  const result = await new AxeBuilder({ page }).withTags(WCAG_AA).analyze()
  for (const v of result.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue
    findings.push({ page: name, rule: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 6).map(n => n.target.join(' ')) })
  }
}

function report(findings: Finding[]): string {
  return findings.map(f => `${f.page}: [${f.impact}] ${f.rule} (${f.help})\n    ${f.targets.join('\n    ')}`).join('\n')
}

async function visit(page: Page, url: string, ready: string | null, name: string, findings: Finding[]): Promise<void> {
  await page.goto(url)
  if (ready) await expect(page.locator(ready).first()).toBeVisible()
  await audit(page, name, findings)
}

test('the sign-in page and the public device and complaint pages have no serious accessibility violation', async ({ page, request }) => {
  const device = await firstDevice(request, await apiToken(request, 'manager1'))
  const findings: Finding[] = []
  await visit(page, '/login', 'input', 'login', findings)
  await visit(page, `/q/${device.qr_token}`, '[data-testid="public-inspection"]', 'public device', findings)
  await visit(page, `/complaint/${device.qr_token}`, 'textarea', 'public complaint', findings)
  expect(findings, report(findings)).toEqual([])
})

test('the safety manager\'s main screens have no serious accessibility violation', async ({ page, request }) => {
  const device = await firstDevice(request, await apiToken(request, 'manager1'))
  const findings: Finding[] = []
  await uiLogin(page, 'manager1')
  await audit(page, 'manager home', findings)
  await visit(page, '/devices', '[data-testid^="device-"]', 'device list', findings)
  await visit(page, `/devices/${device.id}`, '[data-testid="device-name"]', 'device detail', findings)
  await visit(page, '/hazards', null, 'hazard list', findings)
  await visit(page, `/hazards/new?device=${device.id}`, 'textarea', 'hazard report', findings)
  await visit(page, `/self-check/daily?device=${device.id}`, '[data-testid="check-item"]', 'self-check form', findings)
  expect(findings, report(findings)).toEqual([])
})

test('the inspector\'s main screens have no serious accessibility violation', async ({ page }) => {
  const findings: Finding[] = []
  await uiLogin(page, 'inspector1')
  await audit(page, 'inspector home', findings)
  await visit(page, '/hazards', null, 'hazard list', findings)
  await visit(page, '/complaints', null, 'complaints', findings)
  await visit(page, '/credit', null, 'credit list', findings)
  await visit(page, '/plans', null, 'plans', findings)
  expect(findings, report(findings)).toEqual([])
})

test('the supervisor\'s mutual-check tasks have no serious accessibility violation', async ({ page }) => {
  const findings: Finding[] = []
  await uiLogin(page, 'supervisor1')
  await visit(page, '/checks', null, 'mutual-check tasks', findings)
  expect(findings, report(findings)).toEqual([])
})

test('the bureau administrator\'s home has no serious accessibility violation', async ({ page }) => {
  const findings: Finding[] = []
  await uiLogin(page, 'admin')
  await audit(page, 'admin home', findings)
  expect(findings, report(findings)).toEqual([])
})

test('the maintenance worker\'s orders and order form have no serious accessibility violation', async ({ page, request }) => {
  const token = await apiToken(request, 'maint1')
  const orders = await (await request.get('/api/maintenance/orders?mine=true&per_page=1', { headers: { Authorization: `Bearer ${token}` } })).json()
  const findings: Finding[] = []
  await uiLogin(page, 'maint1')
  await audit(page, 'worker home', findings)
  await visit(page, '/maintenance/orders', '[data-testid="order-row"]', 'work orders', findings)
  await visit(page, `/maintenance/orders/${orders.items[0].id}`, '[data-testid="order-item"]', 'work order form', findings)
  await visit(page, '/maintenance/records', null, 'maintenance records', findings)
  expect(findings, report(findings)).toEqual([])
})
