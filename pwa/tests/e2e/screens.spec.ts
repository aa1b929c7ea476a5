// Phone-size screenshots of the main screens into docs/screenshots (run with `npm run screenshots`).
import type { Page } from '@playwright/test'
import { mkdirSync } from 'node:fs'
import { expect, test } from '@playwright/test'
import { CHROMIUM_ARGS } from '../../playwright.config'
import { apiToken, createHazardViaApi, fileComplaintViaApi, firstDevice, makeJpeg, uiLogin } from './helpers'

const OUT = process.env.SCREENSHOT_DIR ?? new URL('../../../docs/screenshots/', import.meta.url).pathname

test.skip(!process.env.SCREENSHOTS, 'set SCREENSHOTS=1 to write docs/screenshots')
// Chromium's synthetic camera (a moving test pattern) so the scan screen shows a live viewfinder
test.use({
  permissions: ['camera'],
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
  },
})

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(OUT, { recursive: true })
  await page.waitForTimeout(400)
  await page.locator('.van-toast').waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined)
  await page.screenshot({ path: `${OUT}/${name}.png` })
}

test('screenshots of the main screens', async ({ page, context, request }) => {
  const token = await apiToken(request, 'manager1')
  const device = await firstDevice(request, token)

  await page.goto('/login')
  await createHazardViaApi(page, request, token, device.id, '起重机吊钩防脱钩装置失效')

  await page.goto(`/q/${device.qr_token}`)
  await expect(page.getByTestId('public-inspection')).toBeVisible()
  await shot(page, '01-public-device')

  await page.goto('/login')
  await shot(page, '03-login')
  await uiLogin(page, 'manager1')
  await shot(page, '04-home-manager')

  await page.goto('/devices')
  await expect(page.locator('[data-testid^="device-"]').first()).toBeVisible()
  await shot(page, '05-device-list')

  await page.goto(`/devices/${device.id}`)
  await expect(page.getByTestId('device-name')).toBeVisible()
  await shot(page, '06-device-detail')

  await context.setOffline(true)
  await page.getByTestId('report-hazard').click()
  await page.getByPlaceholder('如：安全附件、作业人员、安全管理').fill('安全附件')
  await page.getByPlaceholder('描述发现的问题').fill('安全阀铅封损坏，压力表超过检定有效期')
  await page.getByTestId('photo-input').setInputFiles([
    { name: 'a.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, 4) },
    { name: 'b.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, 5) },
  ])
  await expect(page.getByTestId('photo-thumb')).toHaveCount(2)
  await shot(page, '07-hazard-report')
  await page.getByTestId('submit-hazard').click()
  await expect(page.getByTestId('device-hazards')).toBeVisible()
  await shot(page, '08-device-with-pending-hazard')
  await page.getByTestId('device-hazards').locator('a, .van-cell').first().click()
  await shot(page, '09-hazard-detail-pending')

  await page.goto('/outbox')
  await shot(page, '10-outbox-pending')

  await context.setOffline(false)
  await page.route('**/api/sync/push', async (route) => {
    const ops = (route.request().postDataJSON() as { ops: Array<{ op_id: string }> }).ops
    await route.fulfill({ json: { results: ops.map(op => ({ op_id: op.op_id, status: 'rejected', error: { code: 'validation_error', message: '整改期限不能早于今天' } })) } })
  })
  await page.getByTestId('sync-now').click()
  await expect(page.getByTestId('attention-list')).toBeVisible()
  await shot(page, '11-outbox-needs-attention')
  await page.unroute('**/api/sync/push')

  await page.goto('/hazards?f=open')
  await shot(page, '12-hazard-list')
  const synced = page.locator('.hazard-card').filter({ hasNotText: '需处理' }).first()
  await synced.click()
  await expect(page.getByTestId('hazard-status')).toBeVisible()
  await shot(page, '13-hazard-detail')
  const start = page.getByTestId('action-submit_rectification')
  if (await start.count()) {
    await start.click()
    await shot(page, '14-hazard-rectify-form')
    await page.keyboard.press('Escape')
  }

  await page.goto('/scan')
  await shot(page, '15-scan')

  await page.goto('/me')
  await shot(page, '16-settings')
  await page.getByTestId('lang-en').click()
  await page.goto('/')
  await expect(page.getByTestId('sync-status')).toContainText(/Last sync|need attention/)
  await shot(page, '17-home-english')
  await page.goto('/me')
  await page.getByText('简体中文').click()

  await page.getByTestId('logout').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/login/)
  await uiLogin(page, 'inspector1')
  await shot(page, '18-home-inspector')
})

test.describe('public complaint (in-app browser: no service worker, not signed in)', () => {
  test.use({ serviceWorkers: 'block' })

  test('screenshots of the public complaint flow', async ({ page, request }) => {
    test.setTimeout(150_000)
    const token = await apiToken(request, 'inspector1')
    const res = await request.get('/api/devices?category=elevator&per_page=1', { headers: { Authorization: `Bearer ${token}` } })
    const elevator = (await res.json()).items[0] as { qr_token: string }
    await page.goto(`/complaint/${elevator.qr_token}`)
    await expect(page.getByTestId('emergency-phone')).toBeVisible()
    await page.getByRole('radio', { name: '运行异常' }).click()
    await page.getByTestId('complaint-description').locator('textarea').fill('电梯运行中有明显异响和抖动，平层不准，已持续一周')
    await page.getByTestId('photo-input').setInputFiles({ name: 'a.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, 6) })
    await expect(page.getByTestId('photo-thumb')).toHaveCount(1)
    await page.evaluate(() => window.scrollTo({ top: 0 }))
    await shot(page, '19-complaint-form')
    await page.getByTestId('submit-complaint').click()
    await expect(page.getByTestId('complaint-result')).toBeVisible({ timeout: 120_000 })
    await shot(page, '20-complaint-submitted')
  })
})

test('screenshots of complaint triage (zone inspector)', async ({ page, request }) => {
  test.setTimeout(150_000)
  const token = await apiToken(request, 'inspector1')
  const res = await request.get('/api/devices?category=elevator&per_page=1', { headers: { Authorization: `Bearer ${token}` } })
  const elevator = (await res.json()).items[0] as { qr_token: string }
  await page.goto('/login')
  const photos = [await makeJpeg(page, 7), await makeJpeg(page, 8)]
  await fileComplaintViaApi(request, elevator.qr_token, '电梯运行中有明显异响和抖动，平层不准，已持续一周', { phone: '13912345678', photos, category: 'abnormal_operation' })
  await fileComplaintViaApi(request, elevator.qr_token, '今天早上被困电梯十分钟，按警铃无人应答', { category: 'elevator_trapped' })

  await uiLogin(page, 'inspector1')
  await expect(page.getByTestId('tile-complaints')).not.toContainText('-')
  await shot(page, '21-home-inspector-complaints')
  await page.getByTestId('tile-complaints').click()
  await expect(page.getByTestId('complaint-item').first()).toBeVisible()
  await shot(page, '22-complaint-list')
  await page.getByTestId('complaint-item').filter({ hasText: '异响和抖动' }).first().click()
  await expect(page.getByTestId('complaint-photo')).toHaveCount(2)
  await shot(page, '23-complaint-detail')
  await page.getByTestId('open-hazard').click()
  await page.getByTestId('hazard-category').locator('input').fill('安全保护装置')
  await page.getByTestId('triage-reply').locator('textarea').fill('经现场核查属实，已责令使用单位停梯检修。')
  await page.getByTestId('triage-submit').scrollIntoViewIfNeeded()
  await shot(page, '24-complaint-triage-form')
  await page.getByTestId('triage-submit').click()
  await expect(page.locator('.van-dialog')).toBeVisible()
  await shot(page, '25-complaint-triage-confirm')
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('triage-result')).toBeVisible()
  await page.getByTestId('triage-result').scrollIntoViewIfNeeded()
  await shot(page, '26-complaint-triaged')
  await page.goto('/complaints?status=duplicate')
  await expect(page.getByTestId('complaints-empty')).toBeVisible()
  await shot(page, '27-complaint-list-empty')
  await page.goto('/me')
  await page.getByTestId('lang-en').click()
  await page.goto('/complaints')
  await expect(page.getByTestId('complaint-item').first()).toBeVisible()
  await shot(page, '28-complaint-list-english')
  await page.goto('/me')
  await page.getByText('简体中文').click()
})

test('screenshots of the regulator screens (enterprises, credit, plans, checklists)', async ({ page, request, browser }) => {
  test.setTimeout(150_000)
  const manager = { Authorization: `Bearer ${await apiToken(request, 'manager1')}` }
  const enterpriseId = (await (await request.get('/api/auth/me', { headers: manager })).json()).enterprise_id as number
  const inspector = { Authorization: `Bearer ${await apiToken(request, 'inspector1')}` }
  const today = new Date().toISOString().slice(0, 10)
  const end = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)
  const drawn = await request.post('/api/plans', {
    headers: inspector,
    data: { zone_id: 1, title: '2026年第四季度双随机检查', period_start: today, period_end: end, size: 4, per_item: 1, seed: 2026 },
  })
  expect(drawn.status()).toBe(201)
  const plan = await drawn.json()

  await uiLogin(page, 'inspector1')
  await expect(page.getByTestId('workbench')).toBeVisible()
  await expect(page.getByTestId('reload-prompt')).toBeHidden({ timeout: 10_000 }) // "ready offline" closes itself
  await shot(page, '29-home-inspector-workbench')

  await page.goto('/enterprises')
  await expect(page.getByTestId('enterprise-row').first()).toBeVisible()
  await shot(page, '30-enterprise-list')

  await page.goto(`/enterprises/${enterpriseId}`)
  await expect(page.getByTestId('enterprise-name')).toBeVisible()
  await shot(page, '31-enterprise-detail')

  await page.goto(`/enterprises/${enterpriseId}/credit`)
  await expect(page.getByTestId('credit-grade')).toBeVisible()
  await shot(page, '32-credit-page')

  await page.goto('/credit')
  await expect(page.getByTestId('credit-row').first()).toBeVisible()
  await shot(page, '33-credit-list')

  await page.goto(`/plans/${plan.id}`)
  await expect(page.getByTestId('plan-state')).toBeVisible()
  await shot(page, '34-plan-detail')

  const adminContext = await browser.newContext()
  const admin = await adminContext.newPage()
  await uiLogin(admin, 'admin')
  await admin.goto('/admin/templates')
  await expect(admin.locator('[data-testid^="template-"]').first()).toBeVisible()
  await shot(admin, '35-checklist-templates')
  await adminContext.close()
})
