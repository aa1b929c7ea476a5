import type { Page } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, test } from '@playwright/test'
import { apiToken, uiLogin } from './helpers'

// A bureau going live: the admin builds a zone, a block and an enterprise, gives its safety manager an account,
// and that person signs in with the one-time password read off the admin's screen.

const CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

/** A unified social credit code with a correct GB 32100 check digit. */
function creditCode(seed: number): string {
  const first = `91330100${String(seed).padStart(9, '0').slice(-9)}`
  const total = [...first].reduce((sum, ch, i) => sum + CHARS.indexOf(ch) * WEIGHTS[i]!, 0)
  return first + CHARS[(31 - (total % 31)) % 31]
}

async function pickOption(page: Page, testid: string, text: string): Promise<void> {
  await page.getByTestId(testid).click()
  const popup = page.locator('.van-popup:visible').filter({ has: page.locator('.van-picker') })
  await popup.locator('.van-picker-column__item', { hasText: text }).click()
  await popup.locator('.van-picker__confirm').click()
  await expect(popup).toBeHidden()
}

async function pickerOptions(page: Page, testid: string): Promise<string[]> {
  await page.getByTestId(testid).click()
  const popup = page.locator('.van-popup:visible').filter({ has: page.locator('.van-picker') })
  const items = await popup.locator('.van-picker-column__item').allInnerTexts()
  await popup.locator('.van-picker__cancel').click()
  await expect(popup).toBeHidden()
  return items.map(s => s.trim())
}

test('the bureau admin builds a zone, block and enterprise, and its new safety manager signs in', async ({ page }) => {
  const stamp = Date.now() % 1_000_000
  const zone = `测试分局${stamp}`
  const block = `测试一块${stamp}`
  const enterprise = `测试电梯公司${stamp}`
  const username = `aq.${stamp}`

  await uiLogin(page, 'admin')
  await page.goto('/me')
  await page.getByTestId('org-link').click()
  await expect(page).toHaveURL(/\/admin\/org$/)
  await page.getByTestId('zone-new').click()
  await page.getByTestId('zone-name').locator('input').fill(zone)
  await page.getByTestId('zone-code').locator('input').fill(`T${stamp}`)
  await page.screenshot({ path: '/tmp/usersui-zone-form.png' })
  await page.getByTestId('zone-save').click()
  const group = page.getByTestId('zone-group').filter({ hasText: zone })
  await expect(group).toBeVisible()

  await group.locator('[data-testid^="block-new-"]').click()
  await expect(page.getByTestId('block-zone').locator('input')).toHaveValue(zone)
  await page.getByTestId('block-name').locator('input').fill(block)
  await page.getByTestId('block-save').click()
  await expect(group.getByTestId('block-row')).toContainText(block)
  await expect(group.getByTestId('block-row')).toContainText('应由5–10家组成') // a new block is too small until it holds 5
  await page.screenshot({ path: '/tmp/usersui-org.png', fullPage: true })

  // the enterprise, reached from the enterprise list; a wrong check digit is refused on its field
  await page.goto('/enterprises')
  await page.getByTestId('enterprise-new-link').click()
  await expect(page).toHaveURL(/\/enterprises\/new$/)
  const code = creditCode(stamp)
  const wrong = code.slice(0, 17) + (code[17] === '0' ? '1' : '0')
  await page.getByTestId('enterprise-name').locator('input').fill(enterprise)
  await page.getByTestId('enterprise-credit-code').locator('input').fill(wrong)
  await pickOption(page, 'enterprise-zone', zone)
  await pickOption(page, 'enterprise-block', block)
  await page.getByTestId('enterprise-address').locator('input').fill('测试路1号')
  await page.getByTestId('enterprise-phone').locator('input').fill('0571-88880000')
  await page.getByTestId('enterprise-save').click()
  await expect(page.getByTestId('enterprise-form')).toContainText('校验码错误')
  await page.screenshot({ path: '/tmp/usersui-enterprise-error.png', fullPage: true })
  await page.getByTestId('enterprise-credit-code').locator('input').fill(code)
  await page.getByTestId('enterprise-save').click()
  await expect(page).toHaveURL(/\/enterprises\/\d+$/)
  await expect(page.getByText(enterprise).first()).toBeVisible()

  // the safety manager's account
  await page.goto('/me')
  await page.getByTestId('users-link').click()
  await expect(page.getByTestId('user-row').first()).toBeVisible()
  await page.screenshot({ path: '/tmp/usersui-user-list.png', fullPage: true })
  await page.getByTestId('user-new-link').click()
  await page.getByTestId('user-username').locator('input').fill(username)
  await page.getByTestId('user-display-name').locator('input').fill('测试安全员')
  await expect(page.getByTestId('user-role').locator('input')).toHaveValue('企业安全员')
  await page.getByTestId('enterprise-picker').click()
  await page.getByTestId('enterprise-search').locator('input').fill(enterprise)
  await page.getByTestId('enterprise-option').filter({ hasText: enterprise }).click()
  await page.screenshot({ path: '/tmp/usersui-user-form.png', fullPage: true })
  await page.getByTestId('user-save').click()

  const dialog = page.getByTestId('otp-dialog')
  await expect(dialog).toBeVisible()
  await expect(dialog.getByTestId('otp-warning')).toContainText('只显示这一次')
  const otp = (await dialog.getByTestId('otp-value').innerText()).trim()
  expect(otp.length).toBeGreaterThanOrEqual(10)
  await page.screenshot({ path: '/tmp/usersui-otp.png' })
  await dialog.getByRole('button', { name: '我已记下' }).click()
  await expect(page).toHaveURL(/\/admin\/users\/\d+$/)
  await expect(page.getByTestId('user-state')).toHaveText('待设密码')
  await expect(page.getByText(otp)).toHaveCount(0) // gone once closed
  await expect(page.getByTestId('user-history-row').first()).toBeVisible()
  await page.screenshot({ path: '/tmp/usersui-user-detail.png', fullPage: true })

  await page.goto('/me')
  await page.getByTestId('logout').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/login/)

  await page.getByPlaceholder('用户名').fill(username)
  await page.getByPlaceholder('密码').fill(otp)
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await expect(page).toHaveURL(/\/set-password$/)
  await page.getByTestId('old-password').locator('input').fill(otp)
  const mine = 'Copper-kettle-lanes-77'
  await page.getByTestId('new-password').locator('input').fill(mine)
  await page.getByTestId('repeat-password').locator('input').fill(mine)
  await page.getByTestId('save-password').click()
  await expect(page).toHaveURL(/\/$/)
  await expect(page.getByText('你好，测试安全员')).toBeVisible()
  await expect(page.getByTestId('own-enterprise-link')).toBeVisible()
})

test('a zone inspector creates a safety manager of their zone, with only their zone and its accounts to choose', async ({ page, request }) => {
  const token = await apiToken(request, 'inspector1')
  const zones = (await (await request.get('/api/zones', { headers: { Authorization: `Bearer ${token}` } })).json()).items as { name: string }[]
  expect(zones).toHaveLength(1)
  const myZone = zones[0]!.name

  await uiLogin(page, 'inspector1')
  await page.goto('/me')
  await page.getByTestId('org-link').click()
  await expect(page.getByTestId('zone-group')).toHaveCount(1)
  await expect(page.getByTestId('zone-new')).toHaveCount(0) // zones are the bureau's
  await expect(page.getByTestId('block-row').first()).toContainText('家') // each block says how many it holds
  await expect(page.getByTestId('zone-unblocked')).toContainText('未分区块的企业')
  await page.screenshot({ path: '/tmp/usersui-org-unblocked.png', fullPage: true })
  await page.getByTestId('block-new').click()
  expect(await pickerOptions(page, 'block-zone')).toEqual([myZone])
  await page.locator('.van-popup:visible .van-popup__close-icon').click()

  await page.goto('/me')
  await page.getByTestId('users-link').click()
  await page.getByTestId('user-new-link').click()
  // enterprise accounts only, maintenance companies' included (their admins then manage their own workers)
  expect(await pickerOptions(page, 'user-role')).toEqual(['企业安全员', '街区监督员', '维保单位管理员', '维保人员'])
  const username = `zone.aq.${Date.now() % 1_000_000}`
  await page.getByTestId('user-username').locator('input').fill(username)
  await page.getByTestId('user-display-name').locator('input').fill('辖区新安全员')
  await page.getByTestId('enterprise-picker').click()
  const options = page.getByTestId('enterprise-option')
  await expect(options.first()).toBeVisible()
  for (const label of await options.locator('.van-cell__label').allInnerTexts()) expect(label).toContain(myZone)
  await options.first().click()
  await page.getByTestId('user-save').click()
  await expect(page.getByTestId('otp-dialog')).toBeVisible()
  await expect(page.getByTestId('otp-value')).not.toBeEmpty()
  await page.getByTestId('otp-dialog').getByRole('button', { name: '我已记下' }).click()
  await expect(page.getByTestId('user-title')).toContainText(username)
  await page.screenshot({ path: '/tmp/usersui-inspector-user.png', fullPage: true })
})

test('a new block supervisor account is linked to its person (whose certificates count for mutual checks)', async ({ page, request }) => {
  const token = await apiToken(request, 'inspector1')
  const headers = { Authorization: `Bearer ${token}` }
  const stamp = Date.now() % 1_000_000
  const enterprise = (await (await request.get('/api/enterprises?per_page=1', { headers })).json()).items[0] as { id: number; name: string }
  const personName = `监督员${stamp}`
  const person = await request.post('/api/people', { headers, data: { name: personName, enterprise_id: enterprise.id } })
  expect(person.status()).toBe(201)

  await uiLogin(page, 'inspector1')
  await page.goto('/admin/users/new')
  await pickOption(page, 'user-role', '街区监督员')
  const username = `zone.jd.${stamp}`
  await page.getByTestId('user-username').locator('input').fill(username)
  await page.getByTestId('user-display-name').locator('input').fill('辖区新监督员')
  await page.getByTestId('enterprise-picker').click()
  await page.getByTestId('enterprise-option').filter({ hasText: enterprise.name }).first().click()
  expect(await pickerOptions(page, 'user-person')).toContain(personName)
  await pickOption(page, 'user-person', personName)
  await page.screenshot({ path: '/tmp/usersui-person-link.png', fullPage: true })
  await page.getByTestId('user-save').click()
  await expect(page.getByTestId('otp-dialog')).toBeVisible()
  await page.getByTestId('otp-dialog').getByRole('button', { name: '我已记下' }).click()
  const found = (await (await request.get(`/api/users?q=${username}`, { headers })).json()).items as { username: string; person_name: string | null }[]
  expect(found.find(u => u.username === username)?.person_name).toBe(personName)
})

/** A real XLSX made by openpyxl (the backend's own library): a header row, then `rows`. */
function sheet(rows: string[][]): Buffer {
  const script = [
    'import json, sys, io',
    'from openpyxl import Workbook',
    'wb = Workbook(); ws = wb.active',
    'ws.append(["用户名", "姓名", "角色", "辖区", "企业统一社会信用代码", "电话"])',
    'for row in json.loads(sys.argv[1]): ws.append(row)',
    'out = io.BytesIO(); wb.save(out); sys.stdout.buffer.write(out.getvalue())',
  ].join('\n')
  return execFileSync(fileURLToPath(new URL('../../../.venv/bin/python', import.meta.url)), ['-c', script, JSON.stringify(rows)])
}

test('a bulk sheet with a bad row creates nobody and says which row; a good one hands out the passwords once', async ({ page }) => {
  const stamp = Date.now() % 1_000_000
  const good = [`bulk.a.${stamp}`, '批量一', '检查员', '港区分局', '', '']  // not zone 1: the plan specs count its inspectors
  await uiLogin(page, 'admin')
  await page.goto('/admin/users')
  await page.getByTestId('user-import-link').click()
  await expect(page).toHaveURL(/\/admin\/users\/import$/)

  await page.getByTestId('user-import-file').setInputFiles({
    name: 'bad.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: sheet([good, [`bulk.b.${stamp}`, '批量二', '厨师', '', '', '']]),
  })
  await page.getByTestId('user-import-upload').click()
  await expect(page.getByTestId('user-import-error')).toContainText('未创建任何用户')
  await expect(page.getByTestId('user-import-row-error')).toHaveCount(1)
  await expect(page.getByTestId('user-import-row-error')).toContainText('第 3 行')
  await expect(page.getByTestId('user-import-row-error')).toContainText('未知角色')
  await page.screenshot({ path: '/tmp/usersui-import-error.png', fullPage: true })

  await page.getByTestId('user-import-file').setInputFiles({
    name: 'good.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: sheet([good]),
  })
  await page.getByTestId('user-import-upload').click()
  await expect(page.getByTestId('user-import-done')).toBeVisible()
  await page.screenshot({ path: '/tmp/usersui-import-done.png', fullPage: true })
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('user-import-download').click()])
  expect(download.suggestedFilename()).toMatch(/新用户一次性密码.*\.xlsx$/)
  const bytes = readFileSync((await download.path())!)
  expect(bytes.subarray(0, 2).toString()).toBe('PK')

  await page.goto('/admin/users')
  await page.getByTestId('user-search').locator('input').fill(`bulk.a.${stamp}`)
  await expect(page.getByTestId('user-row')).toHaveCount(1)
  await expect(page.getByTestId('user-row')).toContainText('待设密码')
})

test('the admin edits an account, resets its password (shown once) and deactivates it after confirming', async ({ page, request }) => {
  const admin = { Authorization: `Bearer ${await apiToken(request, 'admin')}` }
  const username = `edit.${Date.now() % 1_000_000}`
  const zones = (await (await request.get('/api/zones', { headers: admin })).json()).items as { id: number }[]
  const created = await request.post('/api/users', {
    headers: admin,
    data: { username, display_name: '待改名', role: 'inspector', zone_id: zones[0]!.id },
  })
  expect(created.status()).toBe(201)
  const { user, one_time_password: first } = await created.json()
  const session = await request.post('/api/auth/login', { data: { username, password: first } })
  expect(session.ok()).toBeTruthy()
  const userToken = (await session.json()).access_token as string

  await uiLogin(page, 'admin')
  await page.goto(`/admin/users/${user.id}`)
  await page.getByTestId('user-edit').click()
  await page.getByTestId('user-display-name').locator('input').fill('已改名')
  await page.screenshot({ path: '/tmp/usersui-user-edit.png' })
  await page.getByTestId('user-save').click()
  await expect(page.getByTestId('user-title')).toContainText('已改名')
  await expect(page.getByTestId('user-history-row').first()).toContainText('姓名：待改名 → 已改名')

  await page.getByTestId('user-reset').click()
  await page.locator('.van-dialog').filter({ hasText: '重置密码' }).getByRole('button', { name: '取消' }).click()
  await expect(page.getByTestId('otp-dialog')).toBeHidden()
  await page.getByTestId('user-reset').click()
  await page.locator('.van-dialog').filter({ hasText: '重置密码' }).getByRole('button', { name: '确认' }).click()
  const otp = (await page.getByTestId('otp-value').innerText()).trim()
  expect(otp).not.toBe(first)
  await page.getByTestId('otp-dialog').getByRole('button', { name: '我已记下' }).click()

  await page.getByTestId('user-deactivate').click()
  await page.locator('.van-dialog').filter({ hasText: '停用账号' }).getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('user-state')).toHaveText('已停用')
  await expect(page.getByTestId('user-reactivate')).toBeVisible()
  await page.screenshot({ path: '/tmp/usersui-user-deactivated.png', fullPage: true })
  const refused = await request.post('/api/auth/login', { data: { username, password: otp } })
  expect(refused.ok()).toBeFalsy()
  const me = await request.get('/api/auth/me', { headers: { Authorization: `Bearer ${userToken}` } })
  expect(me.status()).toBe(401)
})
