import { expect, test } from '@playwright/test'
import { apiToken, uiLogin } from './helpers'

interface Order { id: number, device_id: number, enterprise_id: number, kind: string }
interface DeviceRow { id: number, registration_no: string, qr_token: string, enterprise_id: number, category: string, maintenance_company: string | null }

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })
const DAY = 86_400_000
/** A day in China time, as the server and a phone in China count them. */
const chinaDay = (offsetDays = 0) => new Date(Date.now() + 8 * 3_600_000 + offsetDays * DAY).toISOString().slice(0, 10)

test.use({ timezoneId: 'Asia/Shanghai' })

// In the lift shaft without signal, maint1 scans a label of another lift: the phone refuses it at once (the order
// carries the hashes of its device's labels), and takes the right one.
test('the worker\'s phone refuses another lift\'s label offline', async ({ page, request }) => {
  const worker = await apiToken(request, 'maint1')
  const manager = await apiToken(request, 'manager1')
  const mine = (await (await request.get('/api/maintenance/orders?mine=true&per_page=100', { headers: bearer(worker) })).json()).items as Order[]
  const order = mine.find(o => o.kind !== 'urgent')!
  const devices = (await (await request.get('/api/devices?per_page=50', { headers: bearer(manager) })).json()).items as DeviceRow[]
  const own = devices.find(d => d.id === order.device_id)
  const other = devices.find(d => d.id !== order.device_id)!
  const right = own ?? (await (await request.get(`/api/devices/${order.device_id}`, { headers: bearer(await apiToken(request, 'admin')) })).json()) as DeviceRow

  await uiLogin(page, 'maint1')
  await page.getByTestId('maintenance-orders-link').click()
  await expect(page.getByTestId('order-row').first()).toBeVisible()
  await page.context().setOffline(true)
  await page.goto(`/maintenance/orders/${order.id}`)
  await page.getByTestId('scan-label').click()
  await page.getByTestId('label-manual').locator('input').fill(other.qr_token)
  await page.getByTestId('label-manual-go').click()
  const dialog = page.locator('.van-dialog')
  await expect(dialog).toContainText('不是本工单电梯的标签')
  await page.screenshot({ path: '/tmp/maint-wrong-label.png' })
  await dialog.getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('scan-row')).toHaveCount(0)

  await page.getByTestId('scan-label').click()
  await page.getByTestId('label-manual').locator('input').fill(right.qr_token)
  await page.getByTestId('label-manual-go').click()
  await expect(page.getByTestId('scan-row')).toHaveCount(1)
  await page.context().setOffline(false)
})

// A zone inspector records a contract for an elevator (the form checks its dates in Chinese), then ends it after a
// confirmation; the company's admin reads the contracts but records none, and sees its workers' certificates.
test('contracts are recorded and ended by the regulator, read by the company', async ({ page, request }) => {
  test.setTimeout(120_000)
  const inspector = await apiToken(request, 'inspector1')
  // an elevator of another using unit than manager1's (whose lifts the other maintenance specs use)
  let lift: DeviceRow | undefined
  for (let page = 1; !lift && page <= 10; page++) {
    const devices = (await (await request.get(`/api/devices?category=elevator&status=in_use&per_page=100&page=${page}`, { headers: bearer(inspector) })).json()).items as DeviceRow[]
    lift = devices.find(d => d.enterprise_id !== 1)
  }
  expect(lift, 'an elevator of another enterprise in zone 1').toBeTruthy()

  await uiLogin(page, 'inspector1')
  await page.getByTestId('maintenance-contracts-link').click()
  await expect(page.getByTestId('contract-row').first()).toBeVisible()
  await page.getByTestId('contract-new').click()
  await page.getByTestId('contract-save').click()
  await expect(page.getByText('请选择电梯')).toBeVisible()
  await expect(page.getByText('请选择维保单位')).toBeVisible()
  await page.getByTestId('contract-device').click()
  await page.getByRole('searchbox').fill(lift!.registration_no)
  await page.locator('.device-picker .van-cell').filter({ hasText: lift!.registration_no }).first().click()
  await page.getByTestId('contract-company').click()
  await page.locator('.van-action-sheet__item').nth(1).click()
  await page.getByTestId('contract-end-date').locator('input').fill(chinaDay(-1))
  await page.getByTestId('contract-save').click()
  await expect(page.getByText('结束日期不能早于开始日期')).toBeVisible()
  await page.screenshot({ path: '/tmp/maint-contract-form.png' })
  await page.getByTestId('contract-end-date').locator('input').fill(chinaDay(365))
  await page.getByTestId('contract-save').click()
  // the lift is under the demo's contract: one company answers for a lift on any day, so the new one is refused,
  // naming the contract in force, and the list shows the lift's contracts to end that one first
  await expect(page.locator('.van-dialog')).toContainText('请先终止原合同')
  await page.screenshot({ path: '/tmp/maint-contract-overlap.png' })
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('contract-filter')).toContainText(lift!.registration_no)
  const old = page.getByTestId('contract-row')
  await expect(old).toHaveCount(1)
  await old.getByTestId('contract-end').click()
  await expect(page.locator('.van-dialog')).toContainText('终止')
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(old).toContainText(` ~ ${chinaDay()}`)
  await expect(old.getByTestId('contract-end')).toHaveCount(0)

  // the new company from tomorrow
  await page.getByTestId('contract-new').click()
  await page.getByTestId('contract-device').click()
  await page.getByRole('searchbox').fill(lift!.registration_no)
  await page.locator('.device-picker .van-cell').filter({ hasText: lift!.registration_no }).first().click()
  await page.getByTestId('contract-company').click()
  await page.locator('.van-action-sheet__item').nth(1).click()
  await page.getByTestId('contract-start').locator('input').fill(chinaDay(1))
  await page.getByTestId('contract-end-date').locator('input').fill(chinaDay(365))
  await page.getByTestId('contract-save').click()
  await expect(page.getByText('已登记')).toBeVisible()
  const row = page.getByTestId('contract-row').filter({ hasText: `${chinaDay(1)} ~ ${chinaDay(365)}` })
  await expect(row).toHaveCount(1)
  await expect(row).toContainText('未开始')
  await page.getByTestId('contract-filter-clear').click()
  await expect(page.getByTestId('contract-filter')).toHaveCount(0)
  await page.screenshot({ path: '/tmp/maint-contracts-inspector.png', fullPage: true })

  // the company's admin: contracts to read, none to record; its workers and their certificates' verification
  await page.goto('/me')
  await page.getByTestId('logout').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/login/) // signed out for good before the next sign-in
  await uiLogin(page, 'maintadmin1')
  await page.getByTestId('maintenance-contracts-link').click()
  await expect(page.getByTestId('contract-row').first()).toBeVisible()
  await expect(page.getByTestId('contract-new')).toHaveCount(0)
  await expect(page.getByTestId('contract-end')).toHaveCount(0)
  await page.screenshot({ path: '/tmp/maint-contracts-company.png' })
  await page.goto('/')
  await page.getByTestId('company-certificates-link').click()
  const workers = page.getByTestId('person').filter({ hasText: '维保工1' })
  await expect(workers).toHaveCount(2)
  await expect(workers.getByTestId('certificate-verification')).toHaveText(['已核验', '待核验'])
  await page.screenshot({ path: '/tmp/maint-company-people.png', fullPage: true })
})

// manager1's elevator: its page has a maintenance section (company, last maintenance, next due, records).
test('an elevator\'s page shows its maintenance', async ({ page, request }) => {
  const manager = await apiToken(request, 'manager1')
  // the newest periodic record of a lift with no urgent one (entrapment.spec.ts may have left one)
  const records = (await (await request.get('/api/maintenance/records?per_page=50', { headers: bearer(manager) })).json()).items as Array<{ device_id: number, company: string, kind: string }>
  const urgent = new Set(records.filter(r => r.kind === 'urgent').map(r => r.device_id))
  const record = records.find(r => !urgent.has(r.device_id))!
  await uiLogin(page, 'manager1')
  await page.goto(`/devices/${record.device_id}`)
  await page.getByRole('tab', { name: '维保' }).click()
  await expect(page.getByTestId('device-maint-company')).toContainText(record.company)
  await expect(page.getByTestId('device-maint-last')).toContainText(/(半月|季度)维保 · \d{4}-\d{2}-\d{2}/)
  await expect(page.getByTestId('device-maint-next')).toContainText(/\d{4}-\d{2}-\d{2}/)
  await expect(page.getByTestId('device-maint-record').first()).toBeVisible()
  await page.screenshot({ path: '/tmp/maint-device-tab.png', fullPage: true })
})
