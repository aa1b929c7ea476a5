import { expect, test } from '@playwright/test'
import { apiToken, uiLogin } from './helpers'

test('a zone inspector confirms a block peer’s mutual-check finding so it counts in the credit grade', async ({
  page,
  request,
}) => {
  const token = await apiToken(request, 'inspector1')
  const headers = { Authorization: `Bearer ${token}` }
  const res = await request.get('/api/hazards?source=mutual_check&per_page=100', { headers })
  const pending = (await res.json()).items.find((h: { confirmed: boolean }) => h.confirmed === false)
  expect(pending, 'the demo has a mutual-check finding awaiting confirmation').toBeTruthy()

  await uiLogin(page, 'inspector1')
  await page.goto(`/hazards/${pending.id}`)
  await expect(page.getByTestId('hazard-unconfirmed')).toHaveText('待监管确认')
  await page.screenshot({ path: '/tmp/assert-hazard-unconfirmed.png', fullPage: true })
  await page.getByTestId('hazard-confirm').click()
  await page.getByRole('dialog').getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('hazard-unconfirmed')).toHaveCount(0)
  await expect(page.getByTestId('hazard-confirm')).toHaveCount(0)

  const after = await (await request.get(`/api/hazards/${pending.id}`, { headers })).json()
  expect(after.confirmed).toBe(true)
  expect(after.events.map((e: { action: string }) => e.action)).toContain('confirm')
})
