// The zone inspector triages public complaints: list from the home tile, detail with phone and photos,
// substantiated (opens a hazard) and duplicate findings with confirmation; the result is on the server once.
import { expect, test } from '@playwright/test'
import { apiToken, fileComplaintViaApi, makeJpeg, uiLogin } from './helpers'

test('inspector triages complaints: substantiated opens a hazard, a repeat is marked duplicate', async ({ page, request }) => {
  test.setTimeout(150_000)
  const inspector = await apiToken(request, 'inspector1')
  const auth = { Authorization: `Bearer ${inspector}` }
  const devices = await (await request.get('/api/devices?category=elevator&per_page=1', { headers: auth })).json()
  const device = devices.items[0] as { id: string, qr_token: string }
  const stamp = Date.now()
  const first = `电梯门关不上 triage-${stamp}`
  const repeat = `同一部电梯门关不严 triage-${stamp}`

  await page.goto('/login')
  const jpeg = await makeJpeg(page, 11)
  const a = await fileComplaintViaApi(request, device.qr_token, first, { phone: '13812345678', photos: [jpeg] })
  const b = await fileComplaintViaApi(request, device.qr_token, repeat)

  await uiLogin(page, 'inspector1')
  const tile = page.getByTestId('tile-complaints')
  await expect(tile).toBeVisible()
  await expect(tile).not.toContainText('-')
  await tile.click()
  await expect(page).toHaveURL(/\/complaints(\?|$)/)
  await expect(page.getByRole('tab', { name: '待核查', selected: true })).toBeVisible()

  // the first complaint: phone masked until the inspector asks (confirmed, recorded), its photo,
  // then substantiated + hazard
  await page.getByTestId('complaint-item').filter({ hasText: first }).click()
  await expect(page.getByTestId('complaint-description')).toHaveText(first)
  await expect(page.getByTestId('complaint-phone')).toContainText('138****5678')
  await expect(page.getByTestId('complaint-phone')).not.toContainText('13812345678')
  await page.getByTestId('phone-reveal').click()
  const revealDialog = page.locator('.van-dialog')
  await expect(revealDialog).toContainText('查看完整号码将被记录')
  await revealDialog.getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('complaint-phone')).toContainText('13812345678')
  await page.screenshot({ path: '/tmp/records-complaint-phone.png', fullPage: true })
  await expect(page.getByTestId('complaint-photo')).toHaveCount(1)
  await expect.poll(() => page.getByTestId('complaint-photo').locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
  await expect(page.getByTestId('complaint-status')).toHaveText('待核查')

  await page.getByTestId('triage-submit').click()
  await expect(page.getByText('请填写公开答复')).toBeVisible()
  await page.getByTestId('open-hazard').click()
  await page.getByTestId('hazard-category').locator('input').fill('安全保护装置')
  await page.getByTestId('triage-reward').locator('input').fill('200')
  await page.getByTestId('triage-reply').locator('textarea').fill('经现场核查属实，已责令使用单位立即整改。')
  await page.getByTestId('triage-submit').click()
  const dialog = page.locator('.van-dialog')
  await expect(dialog).toContainText('确认核查结论')
  await expect(dialog).toContainText('「属实」')
  await expect(dialog).toContainText('同时将对使用单位立案隐患')
  await dialog.getByRole('button', { name: '确认' }).click()
  await expect(page.getByText('已提交核查结论')).toBeVisible()
  await expect(page.getByTestId('complaint-status')).toHaveText('属实')
  await expect(page.getByTestId('triage-hazard')).toBeVisible()

  // the second: duplicate of the first, cancelled once, then confirmed
  await page.goBack()
  await expect(page).toHaveURL(/\/complaints(\?|$)/)
  await page.getByTestId('complaint-item').filter({ hasText: repeat }).click()
  await expect(page.getByTestId('complaint-phone')).toContainText('未留电话')
  await page.getByTestId('triage-outcome').getByText('重复投诉').click()
  await page.getByTestId('duplicate-option').filter({ hasText: a.ticket_no }).click()
  await page.getByTestId('triage-reply').locator('textarea').fill('与此前投诉为同一问题，已合并处理。')
  await page.getByTestId('triage-submit').click()
  await page.locator('.van-dialog').getByRole('button', { name: '取消' }).click()
  await expect(page.getByTestId('complaint-status')).toHaveText('待核查')
  await page.getByTestId('triage-submit').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('complaint-status')).toHaveText('重复投诉')

  // on the server, once each
  const list = await (await request.get(`/api/complaints?device_id=${device.id}&per_page=100`, { headers: auth })).json()
  const byTicket = (t: string) => list.items.filter((c: { ticket_no: string }) => c.ticket_no === t)
  expect(byTicket(a.ticket_no)).toHaveLength(1)
  expect(byTicket(b.ticket_no)).toHaveLength(1)
  const [ca] = byTicket(a.ticket_no)
  const [cb] = byTicket(b.ticket_no)
  expect(ca.status).toBe('substantiated')
  expect(ca.hazard_id).toBeTruthy()
  expect(ca.reward?.amount_yuan).toBe('200.00')
  expect(cb.status).toBe('duplicate')
  expect(cb.duplicate_of_id).toBe(ca.id)
  const hazard = await request.get(`/api/hazards/${ca.hazard_id}`, { headers: auth })
  expect(hazard.ok()).toBeTruthy()
  expect((await hazard.json()).source).toBe('complaint')

  // the complainant sees the public reply
  const tracked = await (await request.get(`/api/public/complaints/${a.ticket_no}?code=${a.tracking_code}`)).json()
  expect(tracked.replies.map((r: { text: string }) => r.text)).toContain('经现场核查属实，已责令使用单位立即整改。')

  // filters: the substantiated tab lists it; nothing about it is left to triage
  await page.goto('/complaints?status=substantiated')
  await expect(page.getByTestId('complaint-item').filter({ hasText: first })).toHaveCount(1)
  await page.getByRole('tab', { name: '待核查' }).click()
  await expect(page.getByTestId('complaint-item').filter({ hasText: first })).toHaveCount(0)
})

test('an inspector with nothing to triage sees the empty state; offline the screen says it needs a connection', async ({ page, context, request }) => {
  // nothing to triage: a complaint filed without a label by an earlier spec reaches every zone's queue, so it is
  // answered first (any inspector may triage a complaint that names no device)
  const auth = { Authorization: `Bearer ${await apiToken(request, 'inspector3')}` }
  const pending = await (await request.get('/api/complaints?status=received&per_page=100', { headers: auth })).json()
  for (const c of pending.items as { id: number }[]) {
    const answer = await request.post(`/api/complaints/${c.id}/triage`, {
      headers: auth,
      data: { outcome: 'not_substantiated', public_reply: '经核查不属实。' },
    })
    expect(answer.ok()).toBeTruthy()
  }
  await uiLogin(page, 'inspector3')
  await page.getByTestId('tile-complaints').click()
  await expect(page.getByTestId('complaints-empty')).toContainText('没有待核查的投诉')
  await context.setOffline(true)
  await page.reload()
  await expect(page.getByTestId('complaints-offline')).toContainText('投诉核查需要联网')
  await page.goto('/')
  await expect(page.getByTestId('tile-complaints')).toContainText('-')
})
