import { expect, test } from '@playwright/test'
import { apiToken, uiLogin } from './helpers'

test('manager1 sees the unread badge on the demo city, opens a reminder into its screen, and it reads offline', async ({ page, request }) => {
  // the demo server ran `flask jobs run-due` once, as `make run`'s schedule does in its first minute
  const headers = { Authorization: `Bearer ${await apiToken(request, 'manager1')}` }
  const inbox = await (await request.get('/api/notifications?per_page=100', { headers })).json()
  expect(inbox.unread_count).toBeGreaterThan(0)
  const overdue = inbox.items.slice(0, 50).find((n: { kind: string }) => n.kind === 'hazard.overdue') // the screen lists 50
  expect(overdue).toBeTruthy()

  await uiLogin(page, 'manager1')
  await expect(page.getByTestId('inbox-badge')).toHaveText(String(inbox.unread_count))
  await expect(page.getByTestId('tab-home').locator('.van-badge')).toHaveText(String(inbox.unread_count))
  await page.screenshot({ path: '/tmp/wt-jobs-home.png', fullPage: true })

  await page.getByTestId('inbox-link').click()
  await expect(page).toHaveURL(/\/inbox$/)
  await expect(page.getByTestId('inbox-item')).toHaveCount(Math.min(inbox.items.length, 50))
  await page.screenshot({ path: '/tmp/wt-jobs-inbox.png', fullPage: true })

  await page.getByTestId('inbox-item').filter({ hasText: overdue.title }).first().click()
  await expect(page).toHaveURL(new RegExp(`${overdue.link}$`))
  await page.screenshot({ path: '/tmp/wt-jobs-linked.png', fullPage: true })

  // opening it marked it read, on the server and on the badge
  const after = await (await request.get('/api/notifications?unread=true', { headers })).json()
  expect(after.unread_count).toBe(inbox.unread_count - 1)
  await page.goto('/')
  await expect(page.getByTestId('inbox-badge')).toHaveText(String(inbox.unread_count - 1))

  // offline, the inbox shows the copy kept on the phone
  await page.context().setOffline(true)
  await page.goto('/inbox')
  await expect(page.getByTestId('inbox-cached')).toBeVisible()
  await expect(page.getByTestId('inbox-item').first()).toBeVisible()
  await page.screenshot({ path: '/tmp/wt-jobs-offline.png', fullPage: true })
  await page.context().setOffline(false)
})
