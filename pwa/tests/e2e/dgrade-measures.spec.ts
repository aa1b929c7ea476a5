import type { APIRequestContext } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { apiToken, createHazardViaApi, uiLogin } from './helpers'

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })

async function lastDeviceOfManager(request: APIRequestContext, token: string) {
  const res = await request.get('/api/devices?per_page=50', { headers: bearer(token) })
  const items = (await res.json()).items as Array<{
    id: number
    enterprise_id: number
    qr_token: string
    status: string
  }>
  return items.filter(d => d.status === 'in_use').pop()!
}

// seed 002 第十一条第三项 at 390 px: the inspector seals a device on its page citing a notice to the enterprise;
// a passer-by scanning its label reads 已查封 in red; the safety manager cannot lift it; the inspector lifts it with
// a reason.
test('inspector seals a device with its notice, the public label page shows it, the inspector lifts it', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000)
  const managerToken = await apiToken(request, 'manager1')
  const inspectorToken = await apiToken(request, 'inspector1')
  const device = await lastDeviceOfManager(request, managerToken)
  await page.goto('/login')
  const hazardId = await createHazardViaApi(page, request, managerToken, device.id, `查封 e2e ${Date.now()}`)
  const suggestion = await (
    await request.get(`/api/notices/suggestion?hazard_id=${hazardId}`, { headers: bearer(inspectorToken) })
  ).json()
  const issued = await request.post('/api/notices', {
    headers: bearer(inspectorToken),
    data: {
      kind: suggestion.kind,
      enterprise_id: device.enterprise_id,
      hazard_ids: [hazardId],
      deadline: suggestion.deadline,
    },
  })
  expect(issued.status()).toBe(201)
  const notice = await issued.json()

  await uiLogin(page, 'inspector1')
  await page.goto(`/devices/${device.id}`)
  await page.getByTestId('device-order-action').click()
  await page.locator('.van-action-sheet').getByText('查封', { exact: true }).click()
  await page.getByTestId('device-order-form').getByText(notice.number).click()
  await page.getByTestId('device-order-reason').locator('textarea').fill('安全附件失效，存在严重事故隐患')
  await page.screenshot({ path: '/tmp/dgrade-order-form.png', fullPage: true })
  await page.locator('.van-dialog').getByRole('button', { name: '提交' }).click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('device-order-banner')).toContainText('已查封')
  await expect(page.getByTestId('device-order-banner')).toContainText(notice.number)
  await page.screenshot({ path: '/tmp/dgrade-device-sealed.png', fullPage: true })

  // the enterprise's own PATCH of the status is refused
  const refused = await request.patch(`/api/devices/${device.id}`, {
    headers: bearer(managerToken),
    data: { status: 'in_use', reason: '已整改' },
  })
  expect(refused.status()).toBe(403)

  // a passer-by scanning the label (a fresh context: not signed in)
  const browser = page.context().browser()!
  const anonymous = await browser.newContext({ viewport: { width: 390, height: 844 } })
  const publicPage = await anonymous.newPage()
  await publicPage.goto(`/q/${device.qr_token}`)
  await expect(publicPage.getByTestId('public-order')).toContainText('已查封')
  await expect(publicPage.getByTestId('public-order')).toHaveCSS('background-color', 'rgb(238, 10, 36)')
  await publicPage.screenshot({ path: '/tmp/dgrade-public-sealed.png', fullPage: true })
  await anonymous.close()

  // the inspector lifts it with a reason
  await page.getByTestId('device-order-action').click()
  await page.locator('.van-action-sheet').getByText('解除措施').click()
  await page.getByTestId('device-order-reason').locator('textarea').fill('复查合格，解除查封')
  await page.locator('.van-dialog').getByRole('button', { name: '提交' }).click()
  await expect(page.getByTestId('device-order-banner')).toHaveCount(0)
  const history = await (
    await request.get(`/api/devices/${device.id}/history`, { headers: bearer(inspectorToken) })
  ).json()
  expect(history[0]).toMatchObject({ field: 'status', before: 'sealed', after: 'in_use' })
})

// seed 004 item 10 / seed 002 信息公示: anyone opens the city's figures from the sign-in page, at 390 px.
test('the public disclosure page opens from the start page without signing in', async ({ page, request }) => {
  await page.goto('/login')
  await page.getByTestId('public-disclosure-link').click()
  await expect(page).toHaveURL(/\/public\/disclosure$/)
  const figures = await (await request.get('/api/public/disclosure')).json()
  await expect(page.getByTestId('disclosure-registered')).toContainText(String(figures.devices.registered))
  await expect(page.getByTestId('disclosure-categories')).toContainText('电梯')
  await expect(page.getByTestId('disclosure-accidents')).toContainText('0.20')
  await expect(page.getByTestId('disclosure-accidents')).toContainText('0.19')
  await expect(page.getByTestId('disclosure-hazards')).toBeVisible()
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  expect(width).toBeLessThanOrEqual(390)
  await page.screenshot({ path: '/tmp/dgrade-disclosure.png', fullPage: true })
})
