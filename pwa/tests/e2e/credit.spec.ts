import type { APIRequestContext } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { apiToken, uiLogin } from './helpers'

const ACCIDENT_REASON = '近3年发生特种设备安全事故，评为D级'

async function managerEnterprise(request: APIRequestContext): Promise<{ id: number, name: string }> {
  const headers = { Authorization: `Bearer ${await apiToken(request, 'manager1')}` }
  const me = await (await request.get('/api/auth/me', { headers })).json()
  const enterprise = await (await request.get(`/api/enterprises/${me.enterprise_id}`, { headers })).json()
  return { id: enterprise.id as number, name: enterprise.name as string }
}

test('an inspector records an accident: the enterprise is D with the accident reason, and its safety manager sees why and what to fix', async ({ page, request, browser }) => {
  const enterprise = await managerEnterprise(request)
  const inspector = { Authorization: `Bearer ${await apiToken(request, 'inspector1')}` }
  const before = await (await request.get(`/api/credit/enterprises/${enterprise.id}`, { headers: inspector })).json()
  expect(before.reasons.map((r: { code: string }) => r.code)).not.toContain('d_accident')

  // the inspector: home → grade list → accidents and cases → record an accident
  await uiLogin(page, 'inspector1')
  await page.getByTestId('credit-link').click()
  await expect(page).toHaveURL(/\/credit$/)
  await expect(page.getByTestId('credit-row').first()).toBeVisible()
  await expect(page.getByTestId('credit-chip-D')).toContainText(/D 级 \d+/)
  await page.getByTestId('credit-events-link').click()
  await page.getByTestId('new-accident').click()
  const form = page.getByTestId('form-accident')
  await form.getByTestId('enterprise-picker').click()
  await page.getByTestId('enterprise-search').locator('input').fill(enterprise.name)
  await page.getByTestId('enterprise-option').filter({ hasText: enterprise.name }).first().click()
  await expect(form.getByTestId('enterprise-picker').locator('input')).toHaveValue(enterprise.name)
  await form.getByTestId('event-description').locator('textarea').fill('e2e 叉车侧翻，无人员伤亡')
  await form.getByTestId('event-submit').click()
  const dialog = page.locator('.van-dialog')
  await expect(dialog).toContainText(`确定为「${enterprise.name}」登记事故吗`)
  await dialog.getByRole('button', { name: '确认' }).click()
  // the event re-grades at once: the result names the new grade and offers the credit page
  await expect(dialog).toContainText('已重新评级：D 级')
  await dialog.getByRole('button', { name: '查看信用页' }).click()
  await expect(page).toHaveURL(new RegExp(`/enterprises/${enterprise.id}/credit$`))
  await expect(page.getByTestId('credit-grade')).toHaveText('D')
  await expect(page.getByTestId('credit-reasons')).toContainText(ACCIDENT_REASON)
  await expect(page.getByTestId('credit-history')).toContainText('登记事故')

  // the safety manager of that enterprise: home → own credit page, same grade and reason, what to fix
  const context = await browser.newContext()
  const manager = await context.newPage()
  await uiLogin(manager, 'manager1')
  await manager.getByTestId('credit-link').click()
  await expect(manager).toHaveURL(new RegExp(`/enterprises/${enterprise.id}/credit$`))
  await expect(manager.getByTestId('credit-enterprise')).toHaveText(enterprise.name)
  await expect(manager.getByTestId('credit-grade')).toHaveText('D')
  await expect(manager.getByTestId('credit-meaning')).toContainText('高风险')
  await expect(manager.getByTestId('credit-reasons')).toContainText(ACCIDENT_REASON)
  const fixes = manager.getByTestId('credit-fix')
  await expect(fixes.first()).toBeVisible()
  await expect(manager.getByTestId('credit-repair')).toContainText('落实事故整改措施')
  // an open-hazard item links to the hazard list (credit repair)
  await fixes.filter({ hasText: '隐患' }).first().click()
  await expect(manager).toHaveURL(/\/hazards\?f=(open|overdue)/)
  await expect(manager).toHaveURL(new RegExp(`enterprise=${enterprise.id}`))
  await expect(manager.getByTestId('hazard-enterprise-filter')).toBeVisible()

  // another enterprise's credit page is out of scope: the API's 404 as a clear not-found state
  await manager.goto(`/enterprises/${enterprise.id + 1}/credit`)
  await expect(manager.getByTestId('credit-not-found')).toContainText('不在您的管辖范围')
  await context.close()
})

test('the bureau filters grades, recomputes with confirmation and edits the grading rules with validation', async ({ page }) => {
  await uiLogin(page, 'admin')
  await page.getByTestId('credit-link').click()
  await expect(page.getByTestId('credit-row').first()).toBeVisible()
  // the C chip filters the list to C-grade enterprises
  await page.getByTestId('credit-chip-C').click()
  await expect(page.getByTestId('credit-chip-C')).toHaveAttribute('aria-pressed', 'true')
  await expect(page.getByTestId('credit-row').first()).toBeVisible()
  const grades = await page.getByTestId('credit-row').getByTestId('credit-grade').allTextContents()
  expect(new Set(grades)).toEqual(new Set(['C']))

  await page.getByTestId('credit-recompute').click()
  const dialog = page.locator('.van-dialog')
  await expect(dialog).toContainText('确定现在执行吗')
  await dialog.getByRole('button', { name: '确认' }).click()
  await expect(dialog).toContainText(/共评级 \d+ 家，等级变化 \d+ 家/)
  await dialog.getByRole('button', { name: '确认' }).click()
  // the list says which full grading every grade holds as of: the one just run
  await expect(page.getByTestId('credit-latest-cycle')).toContainText(/最近一次全面评级：\d{4}-\d{2}-\d{2}，共 \d+ 家/)

  await page.getByTestId('credit-config-link').click()
  await expect(page.getByTestId('credit-config')).toContainText('从下一次评级起生效')
  const weight = page.getByTestId('weight-risk_control').locator('input')
  const original = await weight.inputValue()
  await weight.fill(String(Number(original) + 5))
  await page.getByTestId('config-save').click()
  await expect(page.getByTestId('error-weights')).toHaveText('六个指标组权重之和须为 100')
  await expect(dialog).toBeHidden() // refused before asking, nothing sent
  await weight.fill(original)
  await page.getByTestId('config-save').click()
  await expect(dialog).toContainText('新规则从下一次评级起生效')
  await dialog.getByRole('button', { name: '确认' }).click()
  await expect(page.locator('.van-toast')).toContainText('已保存，下一次评级起生效')
  await expect(page.getByTestId('error-weights')).toHaveCount(0)
})

interface Hint { indicator: string, group: string, points: number, gain: number, score_after: number, grade_after: string, counts_for_years: number | null }
interface Credit { enterprise_id: number, enterprise_name: string, grade: string, band_grade: string, score: number, reasons: { code: string }[], repair: Hint[], groups: { group: string, points: number, weight: number }[] }

/** Demo enterprises with their full credit record, riskiest first (D to A, highest score first), until `wanted` says stop. */
async function findCredit(request: APIRequestContext, query: string, wanted: (c: Credit) => boolean): Promise<Credit> {
  const headers = { Authorization: `Bearer ${await apiToken(request, 'admin')}` }
  const list = await (await request.get(`/api/credit/grades?per_page=100${query}`, { headers })).json()
  for (const item of list.items as { enterprise_id: number }[]) {
    const credit = await (await request.get(`/api/credit/enterprises/${item.enterprise_id}`, { headers })).json() as Credit
    if (wanted(credit)) return credit
  }
  throw new Error(`no demo enterprise matches (${query})`)
}

test('what to fix shows the points fixing an item really brings when its group is at its cap', async ({ page, request }) => {
  // a demo enterprise whose risk-control group is full: closing only its overdue hazards leaves it full
  const credit = await findCredit(request, '', c => c.repair.some(h => h.group === 'risk_control' && h.gain < h.points))
  const hint = credit.repair.find(h => h.group === 'risk_control' && h.gain < h.points)!
  const group = credit.groups.find(g => g.group === 'risk_control')!
  expect(group.points).toBe(group.weight) // capped
  expect(hint.gain).toBeLessThanOrEqual(group.weight)
  expect(hint.gain).toBeCloseTo(credit.score - hint.score_after, 2)

  await uiLogin(page, 'admin')
  await page.goto(`/enterprises/${credit.enterprise_id}/credit`)
  const cell = page.locator(`[data-testid="credit-fix"][data-indicator="${hint.indicator}"]`)
  const gain = cell.getByTestId('credit-fix-gain')
  await expect(gain).toHaveText(hint.gain > 0 ? `−${hint.gain} 分 → ${hint.grade_after} 级` : '暂不降分')
  await expect(gain).not.toContainText(`${hint.points} 分`) // not the indicator's raw points
  await expect(cell).toContainText(`本项计 ${hint.points} 分（所在指标组已封顶`)
  await page.setViewportSize({ width: 390, height: 1400 })
  await page.getByTestId('credit-repair').scrollIntoViewIfNeeded()
  await page.screenshot({ path: '/tmp/credit-repair-390.png', fullPage: true })
})

test('the bureau names a benchmark enterprise: its grade is lowered one level at once and the reason says so', async ({ page, request }) => {
  // a C by its score with no rule acting on it (not yet three accident-free years, no recognition)
  const credit = await findCredit(request, '&grade=C', c => c.band_grade === 'C' && c.reasons.length === 0)
  await uiLogin(page, 'admin')
  await page.goto('/credit/events')
  await page.getByTestId('new-recognition').click()
  const form = page.getByTestId('form-recognition')
  await form.getByTestId('enterprise-picker').click()
  await page.getByTestId('enterprise-search').locator('input').fill(credit.enterprise_name)
  await page.getByTestId('enterprise-option').filter({ hasText: credit.enterprise_name }).first().click()
  await form.getByTestId('event-description').locator('textarea').fill('e2e 双重预防机制标杆企业')
  await form.getByTestId('event-submit').click()
  const dialog = page.locator('.van-dialog')
  await expect(dialog).toContainText(`确定认定「${credit.enterprise_name}」的下调事项吗`)
  await dialog.getByRole('button', { name: '确认' }).click()
  await expect(dialog).toContainText(`已重新评级：B 级`)
  await expect(dialog).toContainText(`${credit.score} 分`) // the score stays, the grade moves
  await dialog.getByRole('button', { name: '查看信用页' }).click()
  await expect(page.getByTestId('credit-grade')).toHaveText('B')
  await expect(page.getByTestId('credit-reasons')).toContainText('被认定为双重预防机制标杆企业（第十三条下调条件）')
  await expect(page.getByTestId('credit-reasons')).toContainText('风险等级比分值等级下调一级')
  await expect(page.locator('.credit-page__band')).toContainText('按分值为 C 级')
  await page.screenshot({ path: '/tmp/credit-benchmark-390.png', fullPage: true })
})
