// Complaint closure (seed 001 投诉举报奖励) on the demo city at 390 px: a member of the public reports an
// elevator without a label by its registration number, finds it under "my complaints"; inspector1 links the
// device and opens a hazard; the hazard is rectified and verified (API) and the bureau records the reward's payment
// on the complaint's page; the complainant's tracking page shows 已整改 and 奖励已发放, and never the phone.
import type { APIRequestContext } from '@playwright/test'
import { createHash } from 'node:crypto'
import { expect, test } from '@playwright/test'
import { apiToken, makeJpeg, uiLogin } from './helpers'

async function step(request: APIRequestContext, token: string, hazardId: string, action: string, extra: object = {}) {
  const res = await request.post(`/api/hazards/${hazardId}/transitions`, {
    headers: { Authorization: `Bearer ${token}` },
    data: { id: crypto.randomUUID(), action, note: '', reason: '', photos: [], ...extra },
  })
  expect(res.status(), await res.text()).toBe(200)
}

test('a complaint without a label is linked, its hazard rectified and verified: the tracking page says 已整改', async ({ page, request }) => {
  test.setTimeout(180_000)
  const inspector = await apiToken(request, 'inspector1')
  const auth = { Authorization: `Bearer ${inspector}` }
  const devices = await (await request.get('/api/devices?category=elevator&per_page=1', { headers: auth })).json()
  const device = devices.items[0] as { id: number, registration_no: string }
  const description = `电梯没有检验合格标志，运行有异响 closure-${Date.now()}`

  // the member of the public: no label to scan, so from the tracking page to the no-label form
  await page.goto('/complaint/track')
  await expect(page.getByTestId('my-complaints')).toContainText('本机还没有提交过投诉')
  await page.getByTestId('no-label-link').click()
  await expect(page).toHaveURL(/\/complaint\/new$/)
  await expect(page.getByRole('radio', { name: '无检验合格标志' })).toHaveAttribute('aria-checked', 'true')
  await page.getByTestId('complaint-description').locator('textarea').fill(description)
  await page.getByTestId('submit-complaint').click()
  await expect(page.getByText('请填写设备注册代码或设备地址，或拍一张设备照片（至少一项）')).toBeVisible()
  await page.screenshot({ path: '/tmp/closure-no-label-form.png', fullPage: true })
  await page.getByTestId('complaint-registration').locator('input').fill(device.registration_no)
  await page.getByTestId('complaint-phone').locator('input').fill('13812345678')
  await page.getByTestId('submit-complaint').click()
  await expect(page.getByTestId('complaint-result')).toBeVisible({ timeout: 60_000 })
  const ticket = (await page.getByTestId('ticket-no').textContent())!.trim()
  expect(ticket).toMatch(/^TS\d{8}-\d{4}$/)
  await expect(page.getByTestId('my-complaint').filter({ hasText: ticket })).toHaveCount(1)
  await page.screenshot({ path: '/tmp/closure-receipt.png', fullPage: true })
  const kept = await page.evaluate(() => localStorage.getItem('sesv.sentComplaints'))
  expect(kept).not.toContain('13812345678')

  await page.getByTestId('my-complaint').filter({ hasText: ticket }).click()
  await expect(page.getByTestId('track-stage')).toHaveText('已受理')
  await expect(page.getByTestId('track-result')).toContainText('待监管人员确认设备')

  // inspector1 links the device the registration number names and opens a hazard
  await uiLogin(page, 'inspector1')
  await page.goto('/complaints')
  await page.getByTestId('complaint-item').filter({ hasText: device.registration_no }).first().click()
  await expect(page.getByTestId('complaint-unlinked')).toBeVisible()
  await page.getByTestId('link-device-option').filter({ hasText: device.registration_no }).click()
  await page.getByTestId('open-hazard').click()
  await page.getByTestId('hazard-category').locator('input').fill('检验合格标志')
  await page.getByTestId('triage-reward').locator('input').fill('300')
  await page.getByTestId('triage-reply').locator('textarea').fill('经核查属实，已责令使用单位整改并申报检验。')
  await page.screenshot({ path: '/tmp/closure-triage.png', fullPage: true })
  await page.getByTestId('triage-submit').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('triage-hazard')).toBeVisible()
  const listed = await (await request.get(`/api/complaints?device_id=${device.id}&per_page=100`, { headers: auth })).json()
  const complaint = listed.items.find((c: { ticket_no: string }) => c.ticket_no === ticket)
  expect(complaint.device_id).toBe(device.id)

  // rectified and verified (the rectification recorded by the inspector for the enterprise), reward paid
  await step(request, inspector, complaint.hazard_id, 'start_rectification', { note: '已联系检验机构' })
  const jpeg = await makeJpeg(page, 23)
  const sha = createHash('sha256').update(jpeg).digest('hex')
  const put = await request.put(`/api/photos/${sha}`, { headers: { ...auth, 'Content-Type': 'image/jpeg' }, data: jpeg })
  expect(put.ok()).toBeTruthy()
  await step(request, inspector, complaint.hazard_id, 'submit_rectification', { note: '已检验并张贴合格标志', photos: [sha] })
  await step(request, inspector, complaint.hazard_id, 'verify', { note: '复查合格' })
  // the bureau records the payment on the complaint's page, with the form's defaults and a reference
  const bureau = await page.context().browser()!.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' })
  const bureauPage = await bureau.newPage()
  await uiLogin(bureauPage, 'admin')
  await bureauPage.goto(`/complaints/${complaint.id}`)
  const paidOn = await bureauPage.getByTestId('reward-paid-on').locator('input').inputValue()
  await bureauPage.getByPlaceholder('选填，转账流水号或凭证号（不对公众显示）').fill('ZF-E2E-1')
  await bureauPage.getByTestId('reward-pay').click()
  await bureauPage.locator('.van-dialog:visible').getByRole('button', { name: '确认' }).click()
  await expect(bureauPage.getByTestId('reward-paid')).toContainText(paidOn)
  await bureauPage.screenshot({ path: '/tmp/closure-reward-paid.png', fullPage: true })
  await bureau.close()

  // the complainant opens it again from "my complaints"
  await page.goto('/complaint/track')
  await page.getByTestId('my-complaint').filter({ hasText: ticket }).click()
  await expect(page.getByTestId('track-stage')).toHaveText('已整改')
  await expect(page.getByTestId('track-stages')).toContainText('整改中')
  await expect(page.getByTestId('track-reward')).toContainText(`奖励已发放：300.00 元（${paidOn}）`)
  await expect(page.getByTestId('track-result')).toContainText(device.registration_no)
  const body = await page.locator('body').innerText()
  expect(body).not.toContain('13812345678')
  expect(body).not.toContain('ZF-E2E-1')
  await expect(page.getByTestId('track-after-photos')).toHaveCount(0)
  await page.screenshot({ path: '/tmp/closure-tracking.png', fullPage: true })
})

// 无检验合格标志 without a registration number or an address at hand: a photo of the device is enough.
test('a complaint without a label can be sent with a photo of the device alone', async ({ page }) => {
  test.setTimeout(120_000)
  await page.goto('/complaint/new')
  await page.getByTestId('complaint-description').locator('textarea').fill(`电梯无检验合格标志 photo-${Date.now()}`)
  await page.getByTestId('submit-complaint').click()
  await expect(page.getByText('请填写设备注册代码或设备地址，或拍一张设备照片（至少一项）')).toBeVisible()
  await page.getByTestId('photo-input').setInputFiles([{ name: 'd.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, 31) }])
  await expect(page.getByTestId('photo-thumb')).toHaveCount(1)
  await page.getByTestId('submit-complaint').click()
  await expect(page.getByTestId('complaint-result')).toBeVisible({ timeout: 60_000 })
  await page.screenshot({ path: '/tmp/closure-photo-only.png', fullPage: true })
})
