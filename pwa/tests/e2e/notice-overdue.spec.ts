import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { apiToken, createHazardViaApi, firstDevice, uiLogin } from './helpers'

const PORT = process.env.E2E_PORT ?? '8765'
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Time passes for a notice on the demo server: its deadline moves `days` back (the server reads the real clock),
 * through the test-only scripts/e2e-age-notice.py against the instance scripts/e2e-server.sh started.
 */
function agedNotice(noticeId: number, days = 1): void {
  const pointer = join(process.env.TMPDIR ?? tmpdir(), `sesv-e2e-${PORT}.instance`)
  expect(existsSync(pointer), `the e2e server on port ${PORT} says where its instance is (${pointer})`).toBeTruthy()
  const env: NodeJS.ProcessEnv = { ...process.env, SESV_INSTANCE_DIR: readFileSync(pointer, 'utf8').trim() }
  delete env.DATABASE_URL
  execFileSync(join(ROOT, '.venv/bin/python'), [join(ROOT, 'scripts/e2e-age-notice.py'), String(noticeId), String(days)], { cwd: ROOT, env })
}

async function signOut(page: Page): Promise<void> {
  await page.goto('/me')
  await page.getByTestId('logout').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/login/)
}

// #21 on the demo city at 390 px: inspector1 issues a rectification notice from a hazard with the form's defaults;
// the deadline passes unanswered; the notice shows as overdue with the next step (整改通知书 → 约谈通知书), which the
// inspector follows to the issue form, prefilled with that kind and the notice's hazard; manager1's home lists both.
test('an overdue notice suggests the next step and the inspector issues it', async ({ page, request }) => {
  test.setTimeout(180_000)
  const manager = await apiToken(request, 'manager1')
  const device = await firstDevice(request, manager)
  await page.goto('/login')
  const description = `逾期文书 e2e ${Date.now()}`
  const hazardId = await createHazardViaApi(page, request, manager, device.id, description)

  await uiLogin(page, 'inspector1')
  await page.goto(`/hazards/${hazardId}`)
  await page.getByTestId('hazard-issue-notice').click()
  // the demo device may have had hazards this year (a repeat allows a stronger kind): the first step is a
  // rectification notice, with the form's other defaults
  await page.getByTestId('notice-kind-rectification').click()
  await expect(page.getByTestId('notice-kind-rectification')).toHaveAttribute('aria-checked', 'true')
  await page.getByTestId('notice-send').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/notices\/\d+$/)
  const first = Number(page.url().split('/').pop())
  await expect(page.getByTestId('notice-status')).toHaveText('待签收')
  await expect(page.getByTestId('notice-next-step')).toHaveCount(0)
  const number = (await page.locator('.notice-detail__number').textContent())!.trim()

  // the deadline passes without a reply
  agedNotice(first)

  // the list and the notice (this phone kept its copy from issuing it) show it overdue, with the next step
  await page.goto('/')
  await page.getByTestId('notices-link').click()
  const row = page.getByTestId('notice-row').filter({ hasText: number })
  await expect(row).toContainText('已逾期')
  await row.click()
  await expect(page).toHaveURL(new RegExp(`/notices/${first}$`))
  await expect(page.getByTestId('notice-status')).toHaveText('已逾期')
  await expect(page.getByTestId('notice-next-step')).toContainText('已逾期，建议升级为：约谈通知书')
  await page.screenshot({ path: '/tmp/notice-overdue-detail.png', fullPage: true })

  // following the suggestion: the issue form has the next kind and the notice's hazard, and names the overdue one
  await page.getByTestId('notice-issue-next').click()
  await expect(page).toHaveURL(new RegExp(`/notices/new\\?notice=${first}$`))
  await expect(page.getByTestId('notice-kind-interview')).toHaveAttribute('aria-checked', 'true')
  await expect(page.getByTestId('notice-overdue-before')).toContainText(number)
  await expect(page.getByRole('checkbox', { name: description })).toHaveAttribute('aria-checked', 'true')
  await page.screenshot({ path: '/tmp/notice-overdue-next-form.png', fullPage: true })
  await page.getByTestId('notice-send').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/notices\/\d+$/)
  const second = Number(page.url().split('/').pop())
  expect(second).not.toBe(first)
  await expect(page.locator('.notice-detail__title')).toHaveText('约谈通知书')
  await expect(page.getByTestId('notice-status')).toHaveText('待签收')
  await signOut(page)

  // the enterprise's safety manager has both on the home screen: the overdue one and the interview notice
  await uiLogin(page, 'manager1')
  const items = page.getByTestId('notice-home-item')
  await expect(items.filter({ hasText: number })).toContainText('已逾期')
  await expect(items.filter({ hasText: '约谈通知书' }).first()).toContainText('待签收')
  await page.getByTestId('notice-home').scrollIntoViewIfNeeded()
  await page.screenshot({ path: '/tmp/notice-overdue-home.png' })
})
