// Random inspection plans (双随机、一公开): the zone inspector draws a plan with the form's defaults (10 enterprises,
// 2 inspectors each), seeing first what the draw will hold; the plan says in words what the zone lacks (also in its
// PDF); a result is recorded and the plan published; the public page shows it without login. Then key objects and
// recusals change the next draw. The demo zone 1 holds 30 A, 1 B and 3 C enterprises and three inspectors, so only
// plans of 2–4 enterprises meet every quota exactly; a plan of 10 takes the B and the three C and notes the rest.
import type { APIRequestContext } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { expect, test } from '@playwright/test'
import { apiToken, uiLogin } from './helpers'

interface Grade { enterprise_id: number, enterprise_name: string, grade: string, zone_id: number }

async function zoneGrades(request: APIRequestContext, token: string): Promise<Grade[]> {
  const res = await request.get('/api/credit/grades?per_page=100&zone_id=1', { headers: { Authorization: `Bearer ${token}` } })
  expect(res.ok()).toBeTruthy()
  return (await res.json()).items as Grade[]
}

function isoIn(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

test('inspector1 draws a plan with the form defaults, sees the shortfall note, records a result and publishes it; the public page shows it without login', async ({ page, request, browser }) => {
  test.setTimeout(150_000)
  const title = `E2E 双随机 ${Date.now()}`
  const shortfall = 'C 级企业应不少于计划总数的 50%，即 5 家；本辖区只有 3 家，已全部纳入，缺 2 家。'
  await uiLogin(page, 'inspector1')
  await page.getByTestId('plans-link').click()
  await expect(page).toHaveURL(/\/plans$/)
  await page.getByTestId('plan-new').click()
  const form = page.getByTestId('plan-form')

  // client-side checks first
  await form.getByTestId('plan-size').locator('input').fill('0')
  await form.getByTestId('plan-submit').click()
  await expect(form).toContainText('请填写结束日期')
  await expect(form).toContainText('企业数须为 1–5000 的整数')

  // before drawing, the form says what a plan of this zone holds: nothing mandatory, 2–4 meet every quota exactly,
  // and what the default size of 10 will give
  await form.getByTestId('plan-title').locator('input').fill(title)
  await form.getByTestId('plan-end').locator('input').fill(isoIn(30))
  await form.getByTestId('plan-size').locator('input').fill('10')
  await expect(form).not.toContainText('请填写结束日期')
  const preview = form.getByTestId('plan-preview')
  await expect(preview.getByTestId('preview-mandatory')).toContainText('必查对象 0 家')
  await expect(preview.getByTestId('preview-exact')).toContainText('恰好满足全部配额的计划规模：2–4 家')
  await expect(preview.getByTestId('preview-use-size')).toHaveText('用 4 家')
  await expect(preview.getByTestId('preview-at-size')).toContainText(shortfall)
  await expect(preview.getByTestId('preview-inspectors')).toContainText('本辖区监察员 3 名')
  await expect(form.getByTestId('plan-per-item').locator('input')).toHaveValue('2')
  await preview.scrollIntoViewIfNeeded()
  await page.screenshot({ path: '/tmp/plans-draw-form.png', fullPage: false })

  // drawn with the defaults: never refused, the shortfall is on the plan in words
  await form.getByTestId('plan-seed').locator('input').fill('2026')
  await form.getByTestId('plan-submit').click()
  await expect(page.getByTestId('plan-title-text')).toHaveText(title)
  await expect(page.getByTestId('plan-state')).toHaveText('草稿')
  await expect(page.getByTestId('plan-progress')).toHaveText('已执行 0/4')
  const notes = page.getByTestId('plan-notes')
  await expect(notes).toContainText(shortfall)
  await expect(notes).toContainText('计划总数 10 家，实际抽取 4 家，少 6 家')
  const quota = page.getByTestId('plan-quota')
  await expect(quota.getByTestId('mix-B')).toContainText('1')
  await expect(quota.getByTestId('mix-C')).toContainText('3')
  await expect(quota.getByTestId('quota-C_min')).toContainText('不符合')
  await expect(quota.getByTestId('quota-A_max')).toContainText('符合')
  await expect(page.getByText('已抽取计划')).toBeHidden()
  await page.screenshot({ path: '/tmp/plans-plan-notes.png', fullPage: false })

  // the printed plan carries the same note
  const download = page.waitForEvent('download')
  await page.getByTestId('plan-pdf').click()
  const pdfPath = await (await download).path()
  const pdfText = execFileSync('pdftotext', ['-raw', pdfPath, '-']).toString().replace(/\s+/g, '')
  expect(pdfText).toContain(shortfall.replace(/\s+/g, ''))

  // the drawn enterprises are the zone's B and C ones, each with two of its three inspectors
  const token = await apiToken(request, 'inspector1')
  const graded = (await zoneGrades(request, token)).filter(g => g.grade === 'B' || g.grade === 'C')
  expect(graded).toHaveLength(4)
  for (const g of graded) {
    const row = page.getByTestId(`plan-row-${g.enterprise_id}`)
    await expect(row.getByTestId('row-enterprise')).toHaveText(g.enterprise_name)
    await expect(row.getByTestId('row-inspectors')).toContainText(/城东分局监察员.*、城东分局监察员/)
    await expect(row.getByTestId('row-status')).toHaveText('待检查')
  }

  // record the result of one inspector1 was drawn for: two problems found
  const mine = page.locator('[data-testid^="plan-row-"]').filter({ has: page.getByTestId('row-record') }).first()
  const firstId = Number((await mine.getAttribute('data-testid'))!.replace('plan-row-', ''))
  const first = graded.find(g => g.enterprise_id === firstId)!
  const row = page.getByTestId(`plan-row-${firstId}`)
  await row.getByTestId('row-record').click()
  const result = page.getByTestId('result-form')
  // the supervisory inspection of that enterprise is one tap away
  await result.getByTestId('start-inspection').click()
  await expect(page).toHaveURL(new RegExp(`/inspection/routine\\?enterprise=${first.enterprise_id}$`))
  await page.goBack()
  await row.getByTestId('row-record').click()
  await result.getByTestId('result-date').locator('input').fill(isoIn(1))
  await result.getByTestId('result-submit').click()
  await expect(result).toContainText('检查日期须在')
  await result.getByTestId('result-date').locator('input').fill(isoIn(0))
  await result.getByTestId('result-findings').locator('input').fill('2')
  await result.getByTestId('result-note').locator('textarea').fill('安全阀超期未校验')
  await result.getByTestId('result-submit').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page.getByText('已登记检查结果')).toBeVisible()
  await expect(row.getByTestId('row-status')).toHaveText('已检查')
  await expect(row.getByTestId('row-result')).toContainText('发现问题 2 项')
  await expect(row.getByTestId('row-record')).toHaveCount(0)
  await expect(page.getByTestId('plan-progress')).toHaveText('已执行 1/4')

  // publish, after a confirmation that says the list is then frozen
  await page.getByTestId('plan-publish').click()
  const confirm = page.locator('.van-dialog')
  await expect(confirm).toContainText('公开后抽中名单和检查人员不能再更改')
  await confirm.getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('plan-state')).toHaveText('已公开')
  await expect(page.getByTestId('plan-publish')).toHaveCount(0)
  // the plan's history names who published it
  const history = page.getByTestId('plan-history')
  await history.getByText('计划变更记录').click()
  await expect(history.getByTestId('history-row').first()).toContainText('草稿')
  await expect(history.getByTestId('history-row').first()).toContainText('已公开')

  // the list shows it published with its counts
  await page.goto('/plans')
  const listed = page.getByTestId('plan-item').filter({ hasText: title })
  await expect(listed.getByTestId('plan-status')).toHaveText('已公开')
  await expect(listed).toContainText('1/4')

  // anyone: from the login page's footer to the public list, no token
  const anon = await browser.newContext()
  const pub = await anon.newPage()
  await pub.goto('/login')
  await pub.getByTestId('public-plans-link').click()
  await expect(pub).toHaveURL(/\/public\/plans$/)
  const card = pub.getByTestId('public-plan').filter({ hasText: title })
  await expect(card).toContainText('1/4')
  const item = card.getByTestId('public-item').filter({ hasText: first.enterprise_name })
  await expect(item).toContainText('已检查')
  await expect(item).toContainText('发现问题 2 项')
  await expect(item).toContainText('安全阀超期未校验')
  await expect(card.getByTestId('public-item').filter({ hasText: '待检查' })).toHaveCount(3)
  await anon.close()
})

test('a named key object is in the next draw with its reason; a recused inspector is not sent and another zone fills in', async ({ page, request }) => {
  test.setTimeout(150_000)
  const token = await apiToken(request, 'inspector1')
  const grades = await zoneGrades(request, token)
  const aGrade = grades.find(g => g.grade === 'A')!
  const bGrade = grades.find(g => g.grade === 'B')!
  const reason = `E2E 节假日人员密集 ${Date.now()}`

  await uiLogin(page, 'inspector1')
  await page.goto('/plans')
  await page.getByTestId('key-objects-link').click()
  await expect(page).toHaveURL(/\/plans\/key-objects$/)
  await page.getByTestId('key-new').click()
  const keyForm = page.getByTestId('key-form')
  await keyForm.getByTestId('key-submit').click()
  await expect(keyForm).toContainText('请选择企业')
  await keyForm.getByTestId('enterprise-picker').click()
  await page.getByTestId('enterprise-search').locator('input').fill(aGrade.enterprise_name)
  await page.getByTestId('enterprise-option').filter({ hasText: aGrade.enterprise_name }).first().click()
  await expect(keyForm.getByTestId('enterprise-picker').locator('input')).toHaveValue(aGrade.enterprise_name)
  await keyForm.getByTestId('key-reason').locator('textarea').fill(reason)
  await keyForm.getByTestId('key-submit').click()
  await expect(page.getByText('已指定重点监管对象')).toBeVisible()
  const keyRow = page.getByTestId('key-item').filter({ hasText: reason })
  await expect(keyRow).toContainText(aGrade.enterprise_name)

  // the draw (form defaults) takes the A-grade key object whatever the A quota, and shows why
  await page.goto('/plans')
  await page.getByTestId('plan-new').click()
  const form = page.getByTestId('plan-form')
  await form.getByTestId('plan-end').locator('input').fill(isoIn(20))
  await expect(form.getByTestId('preview-mandatory')).toContainText('必查对象 1 家（D 级 0 家、重点对象 1 家）')
  await form.getByTestId('plan-submit').click()
  const keyed = page.getByTestId(`plan-row-${aGrade.enterprise_id}`)
  await expect(keyed.getByTestId('row-keys')).toContainText('监管部门指定')
  await expect(keyed.getByTestId('row-keys')).toContainText(reason)
  await expect(page.getByTestId('quota-A_max')).toContainText('符合')

  // end it again (confirmed), so later draws are back to normal
  await page.goto('/plans/key-objects')
  await page.getByTestId('key-item').filter({ hasText: reason }).getByTestId('key-end').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page.getByText('已结束重点监管')).toBeVisible()

  // a recusal for the zone's only B-grade enterprise (in every plan): inspector1 is never sent there
  await page.goto('/')
  await page.getByTestId('recusals-home-link').click()
  await expect(page).toHaveURL(/\/plans\/recusals$/)
  await page.getByTestId('recusal-new').click()
  const recusal = page.getByTestId('recusal-form')
  await recusal.getByTestId('enterprise-picker').click()
  await page.getByTestId('enterprise-search').locator('input').fill(bGrade.enterprise_name)
  await page.getByTestId('enterprise-option').filter({ hasText: bGrade.enterprise_name }).first().click()
  await expect(recusal.getByTestId('enterprise-picker').locator('input')).toHaveValue(bGrade.enterprise_name)
  await recusal.getByTestId('recusal-kind').getByText('曾在该企业任职').click()
  await recusal.getByTestId('recusal-submit').click()
  await expect(page.getByText('已申报回避')).toBeVisible()
  const mine = page.getByTestId('recusal-item').filter({ hasText: bGrade.enterprise_name })
  await expect(mine).toContainText('曾在该企业任职')

  // three per enterprise: the zone has two unlinked inspectors for it, the third comes from another zone
  await page.goto('/plans')
  await page.getByTestId('plan-new').click()
  await form.getByTestId('plan-end').locator('input').fill(isoIn(20))
  await form.getByTestId('plan-per-item').locator('input').fill('3')
  await form.getByTestId('plan-submit').click()
  const sent = page.getByTestId(`plan-row-${bGrade.enterprise_id}`).getByTestId('row-inspectors')
  await expect(sent).toContainText('城东分局监察员二')
  await expect(sent).toContainText('城东分局监察员三')
  await expect(sent).not.toContainText(/城东分局监察员(?![二三])/)
  await expect(page.getByTestId('plan-notes')).toContainText('1 家企业从其他辖区抽派监察员')

  // withdrawn (confirmed): listed as withdrawn, and the server agrees
  await page.goto('/plans/recusals')
  await page.getByTestId('recusal-item').filter({ hasText: bGrade.enterprise_name }).getByTestId('recusal-withdraw').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page.getByText('已撤回回避申报')).toBeVisible()
  const active = await (await request.get('/api/plans/recusals?active=true', { headers: { Authorization: `Bearer ${token}` } })).json()
  expect(active.items).toHaveLength(0)
})

test('the city bureau picks the zone of a plan; every D-grade enterprise of that zone is drawn', async ({ page, request }) => {
  test.setTimeout(120_000)
  const token = await apiToken(request, 'admin')
  const res = await request.get('/api/credit/grades?per_page=100&zone_id=2', { headers: { Authorization: `Bearer ${token}` } })
  const dGrade = ((await res.json()).items as Grade[]).filter(g => g.grade === 'D')
  expect(dGrade.length).toBeGreaterThan(0)

  await uiLogin(page, 'admin')
  await page.getByTestId('plans-link').click()
  await page.getByTestId('plan-new').click()
  const form = page.getByTestId('plan-form')
  await form.getByTestId('plan-end').locator('input').fill(isoIn(30))
  await form.getByTestId('plan-submit').click()
  await expect(form).toContainText('请选择辖区')
  await form.getByTestId('plan-zone').getByRole('radio').nth(1).click()
  await expect(form.getByTestId('preview-mandatory')).toContainText(`D 级 ${dGrade.length} 家`)
  await form.getByTestId('plan-submit').click()
  await expect(page.getByTestId('plan-state')).toHaveText('草稿')
  for (const d of dGrade) await expect(page.getByTestId(`plan-row-${d.enterprise_id}`)).toContainText(d.enterprise_name)
  await expect(page.getByTestId('plan-notes')).toContainText('C 级企业应不少于计划总数的 50%')
  // the bureau may record any item's result
  const rows = await page.locator('[data-testid^="plan-row-"]').count()
  expect(rows).toBeGreaterThan(dGrade.length)
  await expect(page.getByTestId('row-record')).toHaveCount(rows)
})
