import type { Page } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { uiLogin } from './helpers'

const OUT = process.env.SCREENSHOT_DIR ?? new URL('../../../docs/screenshots/', import.meta.url).pathname

/** Text that is cut off: a box narrower than its content with its overflow hidden (a line clamp is vertical, so allowed). */
async function clippedTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const clipped: string[] = []
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('main *, header *, nav *'))) {
      if (!el.offsetParent || !el.textContent?.trim() || el.children.length > 3) continue
      const style = getComputedStyle(el)
      const hides = style.overflowX === 'hidden' || style.textOverflow === 'ellipsis'
      if (hides && el.scrollWidth > el.clientWidth + 1) clipped.push(el.textContent.trim().slice(0, 30))
    }
    return clipped
  })
}

async function expectNothingClipped(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  expect(await clippedTexts(page)).toEqual([])
}

test('长辈版: the home shows the two main actions at 200 % text, and the daily screens wrap instead of clipping', async ({ page }) => {
  await uiLogin(page, 'manager1')
  await page.goto('/me')
  await page.getByTestId('font-scale-elder').click()
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize)).toBe('32px')

  await page.goto('/')
  const home = page.getByTestId('elder-home')
  await expect(home).toBeVisible()
  await expect(page.getByTestId('elder-scan')).toBeInViewport()
  await expect(page.getByTestId('elder-report')).toBeVisible()
  await expect(page.getByTestId('workbench')).toHaveCount(0)
  await expectNothingClipped(page)
  await page.screenshot({ path: `${OUT}40-elder-home.png` })

  // the full home is one tap away, in two columns so its labels fit
  await page.getByTestId('elder-show-all').click()
  await expect(page.getByTestId('workbench')).toBeVisible()
  await expectNothingClipped(page)

  await page.goto('/self-check/todo')
  await expect(page.getByTestId('todo-progress')).toBeVisible()
  await expectNothingClipped(page)
  await page.screenshot({ path: `${OUT}41-elder-todo.png` })

  await page.goto('/devices')
  await expect(page.locator('.device-card').first()).toBeVisible()
  await expectNothingClipped(page)
  await page.screenshot({ path: `${OUT}42-elder-devices.png` })

  await page.goto('/')
  await page.getByTestId('elder-report').click()
  await expect(page).toHaveURL(/\/hazards\/new/)
  await expectNothingClipped(page)

  // back to standard: the usual home returns
  await page.goto('/me')
  await page.getByTestId('font-scale-standard').click()
  await page.goto('/')
  await expect(page.getByTestId('workbench')).toBeVisible()
  await expect(page.getByTestId('elder-home')).toHaveCount(0)
})
