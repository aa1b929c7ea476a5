import { expect, test } from '@playwright/test'
import { apiToken, firstDevice, hazardsWithDescription, makeJpeg, uiLogin, waitSynced } from './helpers'

test('a push whose response is lost is resent with the same op_id and stored once', async ({ page, request }) => {
  const token = await apiToken(request, 'manager1')
  const device = await firstDevice(request, token)
  const description = `丢失响应 e2e ${Date.now()}`
  const pushes: Array<Array<{ op_id: string }>> = []

  await uiLogin(page, 'manager1')
  await page.route('**/api/sync/push', async (route) => {
    pushes.push((route.request().postDataJSON() as { ops: Array<{ op_id: string }> }).ops)
    if (pushes.length === 1) {
      const response = await route.fetch() // the server applies the ops…
      expect(response.ok()).toBeTruthy()
      await route.abort('connectionreset') // …but the phone never hears back
      return
    }
    await route.continue()
  })

  await page.goto(`/hazards/new?device=${device.id}`)
  await expect(page.getByTestId('device-field').locator('input')).toHaveValue(new RegExp(device.registration_no))
  await page.getByPlaceholder('如：安全附件、作业人员、安全管理').fill('作业人员')
  await page.getByPlaceholder('描述发现的问题').fill(description)
  await page.getByTestId('photo-input').setInputFiles([{ name: 'a.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, 3) }])
  await expect(page.getByTestId('photo-thumb')).toHaveCount(1)
  await page.getByTestId('submit-hazard').click()

  // the first round fails (connection reset); the backoff timer sends the same ops again
  await expect.poll(() => pushes.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2)
  await waitSynced(page)
  await expect(page.getByTestId('sync-badge')).toHaveCount(0)

  expect(pushes.length).toBeGreaterThanOrEqual(2)
  expect(pushes[1]!.map(op => op.op_id)).toEqual(pushes[0]!.map(op => op.op_id))
  const onServer = await hazardsWithDescription(request, token, description)
  expect(onServer).toHaveLength(1)
  expect(onServer[0]!.photos).toHaveLength(1)
})
