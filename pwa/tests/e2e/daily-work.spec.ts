import type { Page } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { apiToken, answerAllItems, firstDevice, makeJpeg, uiLogin, waitOfflineReady, waitSynced } from './helpers'

async function dailyDue(page: Page): Promise<number> {
  const text = await page.getByTestId('daily-due').locator('.van-cell__value').innerText()
  return Number(text.trim())
}

test('the safety manager opens today\'s to-do from home, checks a device offline and sees it ticked and the count move', async ({ page, context, request }) => {
  const auth = { Authorization: `Bearer ${await apiToken(request, 'manager1')}` }
  const templates = (await (await request.get('/api/checklist-templates?purpose=daily_device', { headers: auth })).json()).items
  const categories = new Set(templates.map((tp: { device_category: string }) => tp.device_category))

  await uiLogin(page, 'manager1')
  await waitOfflineReady(page)
  await expect(page.getByTestId('daily-due')).toBeVisible()
  const due = await dailyDue(page)
  expect(due).toBeGreaterThan(0)
  await page.screenshot({ path: '/tmp/daily-home.png', fullPage: true })

  await page.getByTestId('daily-due').click()
  await expect(page).toHaveURL(/\/self-check\/todo\?rhythm=daily/)
  const progress = page.getByTestId('todo-progress')
  await expect(progress).toContainText('已完成')
  const [done, total] = (await progress.innerText()).match(/\d+/g)!.map(Number) as [number, number]
  expect(total - done).toBe(due)
  await expect(page.getByTestId('todo-group').first()).toBeVisible()
  await page.screenshot({ path: '/tmp/daily-todo.png', fullPage: false })

  // a device still to check whose category has a daily checklist
  const todo = page.locator('[data-testid="todo-device"][data-state="todo"]')
  let deviceId = ''
  for (let i = 0; i < await todo.count(); i++) {
    const id = (await todo.nth(i).getAttribute('data-device-id'))!
    const device = await (await request.get(`/api/devices/${id}`, { headers: auth })).json()
    if (categories.has(device.category)) {
      deviceId = id
      break
    }
  }
  expect(deviceId).not.toBe('')
  const row = page.locator(`[data-testid="todo-device"][data-device-id="${deviceId}"]`)

  await context.setOffline(true)
  await row.click()
  await expect(page).toHaveURL(new RegExp(`/self-check/daily\\?device=${deviceId}`))
  await answerAllItems(page)
  await page.getByTestId('submit-check').click()
  await expect(page.locator('.van-toast')).toContainText('已保存在本机')

  // back on the list: the device is ticked at once, from the phone's copy
  await expect(page).toHaveURL(/\/self-check\/todo/)
  await expect(row).toHaveAttribute('data-state', 'queued')
  await expect(row).toContainText('已检查·待上传')
  await expect(progress).toContainText(`${done + 1} / ${total} 已完成`)
  await page.screenshot({ path: '/tmp/daily-todo-ticked.png', fullPage: false })

  // Back goes home (no second copy of the list in history), and the count moved with the list
  await page.goBack()
  await expect(page).toHaveURL(/\/$/)
  await expect.poll(() => dailyDue(page)).toBe(due - 1)

  await context.setOffline(false)
  await page.getByTestId('sync-now').click()
  await waitSynced(page)
  await page.getByTestId('daily-due').click()
  await expect(row).toHaveAttribute('data-state', 'done')
  await expect(progress).toContainText(`${done + 1} / ${total} 已完成`)
})

test('the sync words say what is true: last sync after an offline reload, not reported until the server has it, uploading when online', async ({ page, context, request }) => {
  const token = await apiToken(request, 'manager1')
  const device = await firstDevice(request, token)
  await uiLogin(page, 'manager1')
  await waitOfflineReady(page)
  const photo = await makeJpeg(page, 31)

  await context.setOffline(true)
  await page.reload()
  const status = page.getByTestId('sync-status')
  await expect(status).toContainText('离线')
  await expect(status).toContainText('上次同步')
  await expect(status).not.toContainText('尚未同步')

  const report = async (description: string) => {
    await page.goto(`/devices/${device.id}`)
    await page.getByTestId('report-hazard').click()
    await page.getByPlaceholder('如：安全附件、作业人员、安全管理').fill('安全附件')
    await page.getByPlaceholder('描述发现的问题').fill(description)
    await page.getByTestId('photo-input').setInputFiles([{ name: 'h.jpg', mimeType: 'image/jpeg', buffer: photo }])
    await expect(page.getByTestId('photo-thumb')).toHaveCount(1)
    await page.getByTestId('submit-hazard').click()
  }

  const offline = `离线上报 e2e ${Date.now()}`
  await report(offline)
  await expect(page.locator('.van-toast')).toContainText('已保存在本机，联网后自动上传')
  await expect(page).toHaveURL(new RegExp(`/devices/${device.id}$`))
  await page.getByTestId('device-hazards').getByText(offline).click()
  await expect(page.getByTestId('hazard-status')).toHaveText('尚未上报')
  await expect(page.getByText('已上报', { exact: true })).toHaveCount(0)
  await page.screenshot({ path: '/tmp/daily-offline-hazard.png', fullPage: false })

  await context.setOffline(false)
  await page.getByTestId('sync-now').click()
  await waitSynced(page)
  await expect(page.getByTestId('hazard-status')).toHaveText('已上报')

  await report(`在线上报 e2e ${Date.now()}`)
  await expect(page.locator('.van-toast')).toContainText('正在上传')
})
