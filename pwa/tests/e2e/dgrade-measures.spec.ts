import type { APIRequestContext } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { answerAllItems, apiToken, createHazardViaApi, uiLogin, waitSynced } from './helpers'

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

// seed 002 第十条（三）: the zone stations an inspector at a C enterprise, sees the inspector by name, records a
// finding on its page and closes the stationing with a summary.
test('the zone inspector stations at a C enterprise, records a finding and closes it', async ({ page, request }) => {
  const inspectorToken = await apiToken(request, 'inspector1')
  const grades = await (
    await request.get('/api/credit/grades?grade=C&per_page=1', { headers: bearer(inspectorToken) })
  ).json()
  test.skip(!grades.items.length, 'the demo zone has no C enterprise')
  const enterpriseId = grades.items[0].enterprise_id
  await page.goto('/login')
  await uiLogin(page, 'inspector1')
  await page.goto(`/enterprises/${enterpriseId}`)
  await page.getByTestId('stationing-start').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('stationing')).toHaveCount(1)
  await page.getByTestId('stationing').getByText('记录驻点发现').click()
  await page.getByTestId('stationing-finding-text').locator('textarea').fill('1号锅炉水位表未定期冲洗')
  await page.locator('.van-dialog:visible').getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('stationing-finding')).toContainText('1号锅炉水位表未定期冲洗')
  const me = await (await request.get('/api/auth/me', { headers: bearer(inspectorToken) })).json()
  await expect(page.getByTestId('stationing-inspectors')).toContainText(me.display_name || me.username)
  await expect(page.getByTestId('stationing-status')).toHaveText('驻点中')
  await page.getByTestId('enterprise-stationings').screenshot({ path: '/tmp/dgrade-stationing.png' })

  await page.getByTestId('stationing-close').click()
  await page.locator('.van-dialog:visible').getByRole('button', { name: '确认' }).click()
  await expect(page.locator('.van-toast')).toContainText('请填写驻点总结')
  await page.getByTestId('stationing-summary-text').locator('textarea').fill('水位表已冲洗，日管控已建立')
  await page.locator('.van-dialog:visible').getByRole('button', { name: '确认' }).click()
  const confirm = page.locator('.van-dialog:visible').filter({ hasText: '结束后不能再记录发现' }).last()
  await confirm.getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('stationing-status')).toHaveText('已结束')
  await expect(page.getByTestId('stationing-summary')).toContainText('水位表已冲洗，日管控已建立')
  await expect(page.getByTestId('stationing-close')).toHaveCount(0)
  await expect(page.getByTestId('stationing').getByText('记录驻点发现')).toHaveCount(0)
  await page.getByTestId('enterprise-stationings').screenshot({ path: '/tmp/dgrade-stationing-closed.png' })
})

// seed 002 第八条（二）: a special inspection of an A or B enterprise may be done remotely.
test('the inspector records a remote special inspection of a B enterprise', async ({ page, request }) => {
  const auth = bearer(await apiToken(request, 'inspector1'))
  const grades = await (await request.get('/api/credit/grades?grade=B&per_page=20', { headers: auth })).json()
  let device: { id: number } | undefined
  for (const g of grades.items as Array<{ enterprise_id: number }>) {
    device = (
      await (await request.get(`/api/devices?enterprise_id=${g.enterprise_id}&per_page=1`, { headers: auth })).json()
    ).items[0]
    if (device) break
  }
  test.skip(!device, 'no B enterprise with devices in the demo zone')
  await page.goto('/login')
  await uiLogin(page, 'inspector1')
  await page.goto(`/devices/${device!.id}`)
  await page.getByTestId('inspect-device').click()
  await page.getByTestId('inspection-type').getByText('专项检查').click()
  await page.getByTestId('inspection-mode').getByText('远程监管').click()
  await page.getByTestId('signed-by').locator('input').fill('远程检查员')
  await answerAllItems(page)
  await page.screenshot({ path: '/tmp/dgrade-remote-inspection.png' })
  await page.getByTestId('submit-check').click()
  await expect(page).toHaveURL(new RegExp(`/devices/${device!.id}$`))
  await waitSynced(page)
  await expect
    .poll(async () =>
      (
        (await (await request.get(`/api/checks?kind=inspection&device_id=${device!.id}`, { headers: auth })).json())
          .items as Array<{
          signed_by: string
          mode: string
        }>
      )
        .filter(c => c.signed_by === '远程检查员')
        .map(c => c.mode),
    )
    .toEqual(['remote'])
})
