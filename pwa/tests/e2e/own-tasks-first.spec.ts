import type { Page } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { signIn, waitOfflineReady, waitSynced } from './helpers'

/** Hold every GET /api/sync/pull until `release()`: a first download still running on a slow link. */
async function holdPulls(page: Page): Promise<{ release: () => void; count: () => number }> {
  let release!: () => void
  const held = new Promise<void>(resolve => (release = resolve))
  let pulls = 0
  await page.route('**/api/sync/pull**', async route => {
    pulls += 1
    await held
    await route.continue()
  })
  return { release, count: () => pulls }
}

test('a supervisor\'s first sign-in shows their mutual-check tasks at the top of home while the first download runs', async ({ page, context }) => {
  const pull = await holdPulls(page)
  await signIn(page, 'supervisor1')

  const own = page.getByTestId('own-tasks')
  const task = own.getByTestId('mutual-task').first()
  await expect(task).toBeVisible()
  await expect(task).toBeInViewport()
  await expect(own.getByTestId('mutual-task-progress')).toContainText(/\d+ \/ \d+ 已完成/)
  // the download is still held: its page has not arrived, and the home says the rest is coming
  await expect.poll(pull.count).toBeGreaterThan(0)
  await expect(own.getByTestId('first-download-progress')).toBeVisible()
  await expect(page.getByTestId('sync-status')).not.toContainText('上次同步')
  await page.screenshot({ path: '/tmp/tasks-supervisor-first-download.png' })

  pull.release()
  await waitSynced(page)
  await expect(own.getByTestId('first-download-progress')).toHaveCount(0)
  const taskId = await task.getAttribute('data-task-id')

  // the phone's copy is the source from now on: offline, the home still lists the same task
  await waitOfflineReady(page)
  await context.setOffline(true)
  await page.reload()
  await expect(page.getByTestId('own-tasks').getByTestId('mutual-task').first()).toHaveAttribute('data-task-id', taskId!)
  await expect(page.getByTestId('own-tasks').getByTestId('mutual-task-progress')).toContainText(/\d+ \/ \d+ 已完成/)
  await context.setOffline(false)
})

test('a safety manager\'s first sign-in shows today\'s self-check to-do in view before the first download ends', async ({ page }) => {
  const pull = await holdPulls(page)
  await signIn(page, 'manager1')

  const due = page.getByTestId('own-tasks').getByTestId('daily-due')
  await expect(due).toBeVisible()
  await expect(due).toBeInViewport()
  await expect(due.locator('.van-cell__value')).toHaveText(/^\d+$/)
  await expect.poll(pull.count).toBeGreaterThan(0)
  await expect(page.getByTestId('first-download-progress')).toBeVisible()
  await page.screenshot({ path: '/tmp/tasks-manager-first-download.png' })

  pull.release()
  await waitSynced(page)
  await expect(due.locator('.van-cell__value')).toHaveText(/^\d+$/)
})

test('an inspector\'s first sign-in shows the work queue count before the first download ends', async ({ page }) => {
  const pull = await holdPulls(page)
  await signIn(page, 'inspector1')

  const queue = page.getByTestId('own-tasks').getByTestId('work-queue-link')
  await expect(queue.getByTestId('work-queue-count')).toHaveText(/^\d+$/)
  await expect(queue).toBeInViewport()
  await expect.poll(pull.count).toBeGreaterThan(0)
  await expect(page.getByTestId('first-download-progress')).toBeVisible()
  await page.screenshot({ path: '/tmp/tasks-inspector-first-download.png' })
  pull.release()
  await waitSynced(page)
})
