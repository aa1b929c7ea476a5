import type { Browser } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { apiToken, signIn } from './helpers'

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })

/** The public disclosure page as a passer-by sees it (a fresh context: not signed in, nothing cached). */
async function publicListings(browser: Browser, shot: string) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' })
  const page = await context.newPage()
  await page.goto('/public/disclosure')
  await expect(page.getByRole('heading', { name: '严重违法失信名单' })).toBeVisible()
  await page.getByRole('heading', { name: '严重违法失信名单' }).scrollIntoViewIfNeeded()
  await page.screenshot({ path: shot, fullPage: true })
  const text = (await page.locator('[data-testid="disclosure-listings"]').count())
    ? await page.getByTestId('disclosure-listings').innerText()
    : ''
  await context.close()
  return text
}

// seed 002 第十一条（四）, seed 004 item 10 at 390 px on the demo city: the city bureau opens the list from its
// workbench, lists an enterprise from the enterprise page with the form's defaults (legal ground 第七条, today),
// the public disclosure page shows it, then the bureau takes it off with a reason after confirming; the entry stays
// with its history and the public page no longer shows it.
test('the bureau lists an enterprise, the public sees it, the bureau takes it off', async ({ page, request }) => {
  test.setTimeout(180_000)
  const adminToken = await apiToken(request, 'admin')
  const listed = (await (
    await request.get('/api/serious-violations', { headers: bearer(adminToken) })
  ).json()) as Array<{
    enterprise_id: number
    removed_on: string | null
  }>
  const busy = new Set(listed.filter(l => !l.removed_on).map(l => l.enterprise_id))
  const enterprises = (
    await (await request.get('/api/enterprises?per_page=50', { headers: bearer(adminToken) })).json()
  ).items as Array<{ id: number; name: string }>
  const enterprise = enterprises.find(e => !busy.has(e.id))!

  await signIn(page, 'admin')
  await page.getByTestId('serious-violations-link').click()
  await expect(page).toHaveURL(/\/serious-violations$/)
  await expect(page.getByTestId('serious-violations')).toBeVisible()

  // from the enterprise page: the row says 未列入 and opens the list narrowed to it
  await page.goto(`/enterprises/${enterprise.id}`)
  await expect(page.getByTestId('enterprise-serious-violations')).toContainText('未列入')
  await page.getByTestId('enterprise-serious-violations').click()
  await expect(page).toHaveURL(new RegExp(`/serious-violations\\?enterprise=${enterprise.id}$`))
  await expect(page.getByTestId('violations-empty')).toBeVisible()
  await page.getByTestId('violation-add').click()
  const form = page.getByTestId('violation-form')
  await expect(form.getByTestId('enterprise-picker').locator('input')).toHaveValue(enterprise.name)
  await expect(form.getByTestId('violation-ground').locator('textarea')).toHaveValue(
    '《市场监督管理严重违法失信名单管理办法》第七条',
  )
  await page.screenshot({ path: '/tmp/regulator-violation-form.png' })
  await page.getByTestId('violation-submit').click()
  const confirm = page.locator('.van-dialog:visible').filter({ hasText: '列入严重违法失信名单？' })
  await expect(confirm).toContainText(`确认将“${enterprise.name}”列入严重违法失信名单`)
  await confirm.getByRole('button', { name: '确认' }).click()
  const entry = page.getByTestId('violation-current')
  await expect(entry).toHaveCount(1)
  await expect(entry).toContainText(enterprise.name)
  await expect(entry).toContainText('《市场监督管理严重违法失信名单管理办法》第七条')
  await page.screenshot({ path: '/tmp/regulator-violation-listed.png', fullPage: true })
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  expect(width).toBeLessThanOrEqual(390)

  const browser = page.context().browser()!
  expect(await publicListings(browser, '/tmp/regulator-violation-public.png')).toContain(enterprise.name)

  // taking it off: the reason is required (a Chinese message), then a confirmation
  await entry.getByTestId('violation-remove').click()
  await page.getByTestId('violation-remove-submit').click()
  await expect(page.getByTestId('violation-remove-form')).toContainText('请填写移出原因')
  await page.getByTestId('violation-reason').locator('textarea').fill('已完成信用修复')
  await page.getByTestId('violation-remove-submit').click()
  const confirmRemoval = page.locator('.van-dialog:visible').filter({ hasText: '移出后不再公示' })
  await confirmRemoval.getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('violation-current')).toHaveCount(0)
  const kept = page.getByTestId('violation-removed')
  await expect(kept).toContainText('已完成信用修复')
  await kept.getByTestId('violation-history').getByText('变更记录').click()
  await expect(kept.getByTestId('history-row').first()).toContainText('移出日期')
  await expect(kept.getByTestId('history-row')).toHaveCount(3)
  await page.screenshot({ path: '/tmp/regulator-violation-removed.png', fullPage: true })

  expect(await publicListings(browser, '/tmp/regulator-violation-public-after.png')).not.toContain(enterprise.name)
  await page.goto(`/enterprises/${enterprise.id}`)
  await expect(page.getByTestId('enterprise-serious-violations')).toContainText('未列入')
})

// The inspector reads the list but cannot change it (the API refuses: 403).
test('an inspector reads the list without the bureau actions', async ({ page }) => {
  await signIn(page, 'inspector1')
  await page.getByTestId('serious-violations-link').click()
  await expect(page.getByTestId('serious-violations')).toBeVisible()
  await expect(page.getByTestId('violation-add')).toHaveCount(0)
  await expect(page.getByTestId('violation-remove')).toHaveCount(0)
})
