import { expect, test } from '@playwright/test'
import { PASSWORD, answerAllItems, apiToken, createHazardViaApi, fileComplaintViaApi, firstDevice, uiLogin, waitSynced } from './helpers'

function localDate(d = new Date()): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

test('inspector1 opens the work queue from home, most urgent first, and follows an item to its screen (390 px)', async ({ page, request }) => {
  const auth = { Authorization: `Bearer ${await apiToken(request, 'inspector1')}` }
  const before = await (await request.get('/api/work-queue', { headers: auth })).json()
  expect(before.total, 'the demo city gives inspector1 work (a missed self-check)').toBeGreaterThan(0)
  // a member of the public complains about a device in inspector1's zone: one more item, waiting for triage
  const device = await firstDevice(request, await apiToken(request, 'manager1'))
  const filed = await fileComplaintViaApi(request, device.qr_token, '电梯运行时有异响，门关不严')
  const queue = await (await request.get('/api/work-queue', { headers: auth })).json()
  expect(queue.total).toBe(before.total + 1)
  const complaint = queue.items.find((i: { kind: string, title: string }) => i.kind === 'complaint_triage' && i.title.startsWith(filed.ticket_no))
  expect(complaint).toBeTruthy()

  await uiLogin(page, 'inspector1')
  await expect(page.getByTestId('work-queue-count')).toHaveText(String(queue.total))
  await page.screenshot({ path: '/tmp/wq-home.png' })
  await page.getByTestId('work-queue-link').click()
  await expect(page).toHaveURL(/\/work-queue$/)

  const rows = page.getByTestId('queue-item')
  await expect(rows).toHaveCount(queue.items.length)
  await expect(page.getByTestId('queue-total')).toContainText(`共 ${queue.total} 项`)
  // overdue work (the missed self-check) comes before work that is waiting (the new complaint)
  await expect(rows.first()).toHaveAttribute('data-kind', queue.items[0].kind)
  await expect(rows.first()).toContainText('已逾期')
  const row = page.locator('[data-testid="queue-item"][data-kind="complaint_triage"]').filter({ hasText: filed.ticket_no })
  await expect(row).toContainText('投诉待核查')
  await expect(row).toContainText(`等待中 · 自`)
  await page.screenshot({ path: '/tmp/wq-queue.png' })

  await row.click()
  await expect(page).toHaveURL(new RegExp(`${complaint.link}$`))
  await expect(page.getByText(filed.ticket_no).first()).toBeVisible()
  await page.screenshot({ path: '/tmp/wq-followed.png' })
  await page.goBack()
  await expect(rows.first()).toBeVisible()
})

test('the work queue says it needs a connection when opened offline', async ({ page, context }) => {
  await uiLogin(page, 'inspector1')
  await context.setOffline(true)
  await page.goto('/work-queue')
  await expect(page.getByTestId('queue-offline')).toContainText('需要联网')
  await page.screenshot({ path: '/tmp/wq-offline.png' })
})

test('a self-check submitted offline shows on the device page at once, marked as not uploaded yet', async ({ page, context, request }) => {
  const auth = { Authorization: `Bearer ${await apiToken(request, 'manager1')}` }
  const today = localDate()
  const templates = (await (await request.get('/api/checklist-templates?purpose=daily_device', { headers: auth })).json()).items
  const categories = new Set(templates.map((tp: { device_category: string }) => tp.device_category))
  const devices = (await (await request.get('/api/devices?per_page=100', { headers: auth })).json()).items
  const device = devices.find((d: { status: string, category: string, last_self_check: { on: string } | null }) =>
    d.status === 'in_use' && categories.has(d.category) && d.last_self_check?.on !== today)
  expect(device).toBeTruthy()

  await uiLogin(page, 'manager1')
  await context.setOffline(true)
  await page.goto(`/devices/${device.id}`)
  await expect(page.getByTestId('last-self-check')).not.toContainText(today)
  await page.getByTestId('daily-check').click()
  await answerAllItems(page)
  await page.getByTestId('submit-check').click()

  await expect(page).toHaveURL(new RegExp(`/devices/${device.id}$`))
  await expect(page.getByTestId('last-self-check')).toContainText(`${today} 合格（本机待上传）`)
  await page.screenshot({ path: '/tmp/wq-device-offline.png' })

  await context.setOffline(false)
  await page.getByTestId('sync-now').click()
  await expect(page.getByTestId('last-self-check')).toContainText(`${today} 合格`)
  await expect(page.getByTestId('last-self-check')).not.toContainText('待上传')
})

test('hazard list rows show the report photo as a thumbnail', async ({ page, request }) => {
  const token = await apiToken(request, 'manager1')
  const device = await firstDevice(request, token)
  await uiLogin(page, 'manager1')
  const id = await createHazardViaApi(page, request, token, device.id, '安全阀铅封缺失（缩略图）')
  await page.getByTestId('sync-now').click()
  await waitSynced(page)
  await page.goto('/hazards')
  const row = page.getByTestId(`hazard-${id}`)
  await expect(row).toBeVisible()
  const thumb = row.getByTestId('hazard-thumb').locator('img')
  await expect(thumb).toBeVisible()
  await expect.poll(() => thumb.evaluate(img => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0)
  await page.screenshot({ path: '/tmp/wq-hazard-list.png' })
})

test('"works offline" shows once, small, to a signed-in user and never on a public page', async ({ page }) => {
  // a first visit: the service worker finishes precaching while the sign-in page (public) is open
  await page.goto('/login')
  await page.evaluate(async () => { await navigator.serviceWorker.ready })
  await page.waitForTimeout(1500)
  await expect(page.getByTestId('offline-ready')).toHaveCount(0)

  await page.getByPlaceholder('用户名').fill('inspector1')
  await page.getByPlaceholder('密码').fill(PASSWORD)
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await expect(page).toHaveURL(/\/$/)
  const note = page.getByTestId('offline-ready')
  // offline-ready once the shell is precached and, after the first sync, the other screens are cached too
  await expect(note).toHaveText('应用已可离线使用', { timeout: 60_000 })
  const box = (await note.boundingBox())!
  expect(box.height).toBeLessThan(40) // a line, not a card over the content
  await page.screenshot({ path: '/tmp/wq-offline-ready.png' })
  await expect(note).toHaveCount(0, { timeout: 6000 })

  // news once per phone: not again on the next visits
  await page.evaluate(async () => { await (await navigator.serviceWorker.getRegistration())?.unregister() })
  await page.reload()
  await expect(page.getByTestId('work-queue-link')).toBeVisible()
  await page.evaluate(async () => { await navigator.serviceWorker.ready })
  await page.waitForTimeout(1500)
  await expect(note).toHaveCount(0)
})
