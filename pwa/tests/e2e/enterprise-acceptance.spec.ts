import { expect, test } from '@playwright/test'
import { answerAllItems, apiToken, uiLogin, waitSynced } from './helpers'

function localDate(d = new Date()): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

test('the bureau finds an enterprise, does its model-enterprise acceptance offline, and the page shows the certificate date once synced', async ({ page, context, request }) => {
  const auth = { Authorization: `Bearer ${await apiToken(request, 'admin')}` }
  const listed = await (await request.get('/api/enterprises?model_status=none&per_page=1', { headers: auth })).json()
  const target = listed.items[0] as { id: number, name: string }
  expect(target).toBeTruthy()

  await uiLogin(page, 'admin')
  await page.getByTestId('enterprises-link').click()
  await expect(page).toHaveURL(/\/enterprises$/)
  await expect(page.getByTestId('enterprise-row').first()).toBeVisible()
  await page.getByTestId('enterprise-search').locator('input').fill('没有这样的企业名称')
  await expect(page.getByTestId('enterprise-empty')).toBeVisible()
  await page.getByTestId('enterprise-search').locator('input').fill(target.name)
  await expect(page.getByTestId('enterprise-row')).toHaveCount(1)
  await page.getByTestId('enterprise-row').click()
  await expect(page).toHaveURL(new RegExp(`/enterprises/${target.id}$`))
  await expect(page.getByTestId('enterprise-name')).toHaveText(target.name)
  await expect(page.getByTestId('enterprise-model-status')).toContainText('非示范单位')
  await expect(page.getByTestId('enterprise-accepted-on')).toHaveCount(0)

  await context.setOffline(true)
  await page.getByTestId('enterprise-acceptance').click()
  await expect(page).toHaveURL(new RegExp(`/acceptance\\?enterprise=${target.id}$`))
  await expect(page.getByTestId('check-enterprise')).toHaveText(target.name)
  await expect(page.getByTestId('check-item')).toHaveCount(22)
  await expect(page.getByTestId('check-version-note')).toContainText('提交后记录始终保留此版本')
  await page.getByTestId('signed-by').locator('input').fill('市局验收组')
  await expect(page.getByTestId('check-progress')).toContainText('已答 0 / 22')
  await answerAllItems(page)
  await page.getByTestId('submit-check').click()
  await expect(page).toHaveURL(new RegExp(`/enterprises/${target.id}$`))
  await expect(page.getByTestId('sync-status')).toContainText('1 条待上传')
  await expect(page.getByTestId('enterprise-model-status')).toContainText('非示范单位')

  await context.setOffline(false)
  await page.getByTestId('sync-now').click()
  await waitSynced(page)
  await expect(page.getByTestId('enterprise-model-status')).toContainText('示范单位')
  await expect(page.getByTestId('enterprise-model-status')).not.toContainText('非示范单位')
  await expect(page.getByTestId('enterprise-accepted-on')).toContainText(localDate())

  const checks = (await (await request.get(`/api/checks?enterprise_id=${target.id}&kind=acceptance`, { headers: auth })).json()).items
  expect(checks).toHaveLength(1)
  expect(checks[0]).toMatchObject({ result: 'pass', signed_by: '市局验收组' })
  await page.getByTestId('enterprise-credit').click()
  await expect(page).toHaveURL(new RegExp(`/enterprises/${target.id}/credit$`))
})

test('a safety manager opens their own enterprise page from home; it links to their devices and open hazards', async ({ page, request }) => {
  const auth = { Authorization: `Bearer ${await apiToken(request, 'manager1')}` }
  const me = await (await request.get('/api/auth/me', { headers: auth })).json()
  const own = await (await request.get(`/api/enterprises/${me.enterprise_id}`, { headers: auth })).json()

  await uiLogin(page, 'manager1')
  await page.getByTestId('own-enterprise-link').click()
  await expect(page.getByTestId('enterprise-name')).toHaveText(own.name)
  await expect(page.getByTestId('enterprise-acceptance')).toHaveCount(0)
  await expect(page.getByTestId('enterprise-inspect-routine')).toHaveCount(0)
  await expect(page.getByTestId('enterprise-last-self')).toBeVisible()
  // the counts come from the device cache, which may still be filling ('-')
  const deviceCount = page.getByTestId('enterprise-devices').locator('.van-cell__value')
  await expect(deviceCount).toHaveText(/^\s*[1-9]\d*\s*$/)
  const devices = (await deviceCount.innerText()).trim()
  const download = page.waitForEvent('download')
  await page.getByTestId('enterprise-labels').click()
  expect((await download).suggestedFilename()).toBe(`labels-${own.id}.pdf`)
  await page.getByTestId('enterprise-devices').click()
  await expect(page).toHaveURL(new RegExp(`/devices\\?enterprise=${own.id}$`))
  await expect(page.getByText(`共 ${devices} 台`)).toBeVisible()
  await page.goBack()
  await page.getByTestId('enterprise-hazards').click()
  await expect(page).toHaveURL(new RegExp(`/hazards\\?f=open&enterprise=${own.id}$`))
  await expect(page.getByTestId('hazard-enterprise-filter')).toBeVisible()
  await page.getByRole('button', { name: '全部来源' }).click()
  await page.getByRole('menuitem', { name: '自查', exact: true }).click()
  await expect(page).toHaveURL(/source=self_check/)
  await expect(page).toHaveURL(new RegExp(`enterprise=${own.id}`))
  await page.getByTestId('hazard-enterprise-clear').click()
  await expect(page).not.toHaveURL(/enterprise=/)
  await expect(page.getByTestId('hazard-enterprise-filter')).toHaveCount(0)
})
