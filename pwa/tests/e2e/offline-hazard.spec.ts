import { expect, test } from '@playwright/test'
import { apiToken, firstDevice, hazardsWithDescription, makeJpeg, uiLogin, waitSynced } from './helpers'

test('report a hazard with two photos offline, reload offline, sync once online', async ({ page, context, request }) => {
  const token = await apiToken(request, 'manager1')
  const device = await firstDevice(request, token)
  const description = `离线上报 e2e ${Date.now()}`

  await uiLogin(page, 'manager1')
  const photo1 = await makeJpeg(page, 1)
  const photo2 = await makeJpeg(page, 2)

  await context.setOffline(true)
  await page.goto(`/devices/${device.id}`)
  await expect(page.getByTestId('device-name')).toHaveText(device.name)
  await page.getByTestId('report-hazard').click()
  await expect(page.getByTestId('device-field').locator('input')).toHaveValue(new RegExp(device.registration_no))

  await page.getByPlaceholder('如：安全附件、作业人员、安全管理').fill('安全附件')
  await page.getByPlaceholder('描述发现的问题').fill(description)
  await page.getByTestId('photo-input').setInputFiles([
    { name: 'a.jpg', mimeType: 'image/jpeg', buffer: photo1 },
    { name: 'b.jpg', mimeType: 'image/jpeg', buffer: photo2 },
  ])
  await expect(page.getByTestId('photo-thumb')).toHaveCount(2)
  await page.getByTestId('submit-hazard').click()

  await expect(page).toHaveURL(new RegExp(`/devices/${device.id}$`))
  const card = page.getByTestId('device-hazards').getByText(description)
  await expect(card).toBeVisible()
  await expect(page.getByTestId('sync-status')).toContainText('1 条待上传')

  await page.reload()
  await expect(page.getByTestId('device-name')).toHaveText(device.name)
  await expect(page.getByTestId('device-hazards').getByText(description)).toBeVisible()
  await expect(page.getByTestId('device-hazards').getByTestId('pending-tag')).toBeVisible()
  expect(await hazardsWithDescription(request, token, description)).toHaveLength(0)

  await context.setOffline(false)
  await page.getByTestId('sync-now').click()
  await waitSynced(page)
  await expect(page.getByTestId('sync-badge')).toHaveCount(0)

  const onServer = await hazardsWithDescription(request, token, description)
  expect(onServer).toHaveLength(1)
  expect(onServer[0]!.photos).toHaveLength(2)
})
