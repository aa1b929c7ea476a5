import { expect, test } from '@playwright/test'
import { uiLogin } from './helpers'

// Opened straight from a fresh load of the settings screen: the confirm dialog must bring its own styles
// (it once came without them, unusable, when no other screen had loaded the dialog's CSS first).
test('signing out asks first: cancel keeps the session, confirm returns to the login page', async ({ page }) => {
  await uiLogin(page, 'manager1')
  await page.goto('/me')
  await page.reload()

  await page.getByTestId('logout').click()
  const dialog = page.locator('.van-dialog')
  await expect(dialog).toBeVisible()
  await expect(dialog).toHaveCSS('position', 'fixed')
  await dialog.getByRole('button', { name: '取消' }).click()
  await expect(dialog).toBeHidden()
  await expect(page).toHaveURL(/\/me$/)

  await page.getByTestId('logout').click()
  await dialog.getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/login/)
})
