import { expect, test } from '@playwright/test'
import { apiToken, firstDevice, hazardsWithDescription, makeJpeg, PASSWORD, uiLogin, waitSynced } from './helpers'

test('a revoked session pauses the queue, keeps the report, and resumes after signing in again', async ({ page, context, request }) => {
  const token = await apiToken(request, 'manager1')
  const device = await firstDevice(request, token)
  const description = `重新登录 e2e ${Date.now()}`

  await uiLogin(page, 'manager1')
  // the server revokes this phone's session (e.g. an admin signed it out)
  const tokens = await page.evaluate(() => ({ access: localStorage.getItem('sesv.access'), refresh: localStorage.getItem('sesv.refresh') }))
  const revoked = await request.post('/api/auth/logout', { headers: { Authorization: `Bearer ${tokens.access}` }, data: { refresh_token: tokens.refresh } })
  expect(revoked.ok()).toBeTruthy()

  await context.setOffline(true)
  await page.goto(`/hazards/new?device=${device.id}`)
  await page.getByPlaceholder('如：安全附件、作业人员、安全管理').fill('安全管理制度')
  await page.getByPlaceholder('描述发现的问题').fill(description)
  await page.getByTestId('photo-input').setInputFiles([{ name: 'a.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, 6) }])
  await expect(page.getByTestId('photo-thumb')).toHaveCount(1)
  await page.getByTestId('submit-hazard').click()
  await expect(page).toHaveURL(new RegExp(`/devices/${device.id}$`))

  await context.setOffline(false) // the `online` event starts a round, which meets the revoked token
  await expect(page.getByTestId('sync-status')).toContainText('登录已失效')
  await expect(page.getByTestId('sync-now')).toBeDisabled()
  await page.getByTestId('sync-status').click()
  await expect(page).toHaveURL(/\/login/)
  await expect(page.getByPlaceholder('用户名')).toHaveValue('manager1')
  await page.getByPlaceholder('密码').fill(PASSWORD)
  await page.getByRole('button', { name: '登录', exact: true }).click()

  await expect(page).toHaveURL(new RegExp(`/devices/${device.id}$`))
  await waitSynced(page)
  await expect(page.getByTestId('sync-badge')).toHaveCount(0)
  const onServer = await hazardsWithDescription(request, token, description)
  expect(onServer).toHaveLength(1)
})
