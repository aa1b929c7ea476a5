import { expect, test } from '@playwright/test'
import { apiToken } from './helpers'

test('a new user signs in with the one-time password, must set a password, then signs out everywhere', async ({ page, request }) => {
  const admin = await apiToken(request, 'admin')
  const headers = { Authorization: `Bearer ${admin}` }
  const enterprises = await (await request.get('/api/enterprises?per_page=1', { headers })).json()
  const username = `e2e.${Date.now()}`
  const created = await request.post('/api/users', {
    headers,
    data: { username, display_name: '新安全员', role: 'safety_manager', enterprise_id: enterprises.items[0].id },
  })
  expect(created.status()).toBe(201)
  const { one_time_password: otp } = await created.json()

  await page.goto('/login')
  await page.getByPlaceholder('用户名').fill(username)
  await page.getByPlaceholder('密码').fill(otp)
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await expect(page).toHaveURL(/\/set-password$/)
  await expect(page.getByTestId('set-password')).toContainText('一次性密码')

  // nowhere else to go until a password is set
  await page.goto('/devices')
  await expect(page).toHaveURL(/\/set-password$/)

  await page.getByTestId('old-password').locator('input').fill(otp)
  await page.getByTestId('new-password').locator('input').fill('password2024')
  await page.getByTestId('repeat-password').locator('input').fill('password2024')
  await page.getByTestId('save-password').click()
  await expect(page.getByTestId('password-error')).toContainText('密码过于常见')
  await page.screenshot({ path: '/tmp/accounts-set-password.png' })

  const mine = 'Lantern-harbour-quiet-42'
  await page.getByTestId('new-password').locator('input').fill(mine)
  await page.getByTestId('repeat-password').locator('input').fill(mine)
  await page.getByTestId('save-password').click()
  await expect(page).toHaveURL(/\/$/)
  await expect(page.getByText('你好，新安全员')).toBeVisible()

  await page.goto('/me')
  await page.getByTestId('account-link').click()
  await expect(page).toHaveURL(/\/me\/account$/)
  await expect(page.getByTestId('session-row')).toHaveCount(1)
  await expect(page.getByTestId('session-row')).toContainText('本机')
  await page.screenshot({ path: '/tmp/accounts-account.png', fullPage: true })
  const refresh = await page.evaluate(() => localStorage.getItem('sesv.refresh'))

  await page.getByTestId('sign-out-everywhere').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/login/)
  const refused = await request.post('/api/auth/refresh', { headers: { Authorization: `Bearer ${refresh}` } })
  expect(refused.status()).toBe(401)
})
