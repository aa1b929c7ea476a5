import { expect, test } from '@playwright/test'
import { apiToken, createHazardViaApi, firstDevice, uiLogin, waitSynced } from './helpers'

test('a hazard transition made offline goes through the outbox', async ({ page, context, request }) => {
  const token = await apiToken(request, 'manager1')
  const device = await firstDevice(request, token)
  await page.goto('/login')
  const id = await createHazardViaApi(page, request, token, device.id, `整改流程 e2e ${Date.now()}`)

  await uiLogin(page, 'manager1')
  await context.setOffline(true)
  await page.goto(`/hazards/${id}`)
  await expect(page.getByTestId('hazard-status')).toHaveText('已上报')
  await page.getByTestId('action-start_rectification').click()
  await page.getByRole('dialog').getByRole('textbox').fill('已安排维保单位更换')
  await page.getByRole('dialog').getByRole('button', { name: '提交' }).click()
  await expect(page.getByTestId('hazard-status')).toHaveText('整改中')

  await page.reload()
  await expect(page.getByTestId('hazard-status')).toHaveText('整改中')
  await expect(page.getByTestId('sync-status')).toContainText('1 条待上传')

  await context.setOffline(false)
  await page.getByTestId('sync-now').click()
  await waitSynced(page)
  const res = await request.get(`/api/hazards/${id}`, { headers: { Authorization: `Bearer ${token}` } })
  const hazard = await res.json()
  expect(hazard.status).toBe('rectifying')
  expect(hazard.events.map((e: { action: string }) => e.action)).toContain('start_rectification')
})
