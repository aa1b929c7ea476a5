import { expect, test } from '@playwright/test'
import { answerAllItems, apiToken, drawSignature, makeJpeg, uiLogin, waitSynced } from './helpers'

test('a supervisor fills a mutual check offline with two failed items; it becomes two hazards once online', async ({ page, context, request }) => {
  const token = await apiToken(request, 'supervisor1')
  const auth = { Authorization: `Bearer ${token}` }
  const tasks = await (await request.get('/api/mutual-check-assignments?mine=true&done=false', { headers: auth })).json()
  const task = tasks.items.find((a: { enterprise_id: number }) => a.enterprise_id === 1)
  expect(task).toBeTruthy()

  await uiLogin(page, 'supervisor1')
  await page.getByTestId('check-tasks-link').click()
  // other specs may open further rounds with a task on the same enterprise: pick this task's row by its id
  const row = page.locator(`[data-testid="check-task"][data-task-id="${task.id}"]`)
  await expect(row).toContainText(task.enterprise_name)
  await expect(row).toContainText('待检查')
  const photo1 = await makeJpeg(page, 11)
  const photo2 = await makeJpeg(page, 12)

  await context.setOffline(true)
  await page.goto(`/checks/${task.id}`)
  await expect(page.getByTestId('check-enterprise')).toHaveText(task.enterprise_name)
  const items = page.getByTestId('check-item')
  for (const [n, photo, note] of [[0, photo1, '未见安全管理机构任命文件'], [4, photo2, '安全阀超期未校验']] as const) {
    const item = items.nth(n)
    await item.getByTestId('item-fail').click()
    await item.getByTestId('item-note').locator('input').fill(note)
    await item.getByTestId('photo-input').setInputFiles({ name: `${n}.jpg`, mimeType: 'image/jpeg', buffer: photo })
    await expect(item.getByTestId('photo-thumb')).toHaveCount(1)
  }
  await answerAllItems(page)
  await drawSignature(page)
  await page.getByTestId('submit-check').click()

  await expect(page).toHaveURL(/\/checks$/)
  await expect(row).toContainText('待上传')
  await expect(page.getByTestId('sync-status')).toContainText('1 条待上传')

  await context.setOffline(false)
  await page.getByTestId('sync-now').click()
  await waitSynced(page)

  const checks = await (await request.get(`/api/checks?assignment_id=${task.id}`, { headers: auth })).json()
  expect(checks.items).toHaveLength(1)
  expect(checks.items[0]).toMatchObject({ kind: 'mutual_check', result: 'fail', failed_items: 2, signed_by: '监督员一' })
  for (const hazardId of checks.items[0].hazard_ids) {
    const hazard = await (await request.get(`/api/hazards/${hazardId}`, { headers: auth })).json()
    expect(hazard.source).toBe('mutual_check')
    expect(hazard.photos).toHaveLength(1)
  }
  const devices = await (await request.get('/api/devices?enterprise_id=1&per_page=1', { headers: auth })).json()
  await page.goto(`/devices/${devices.items[0].id}`)
  await expect(page.getByTestId('last-mutual-check')).toContainText(`${checks.items[0].performed_on} 有问题`)

  const manager = { Authorization: `Bearer ${await apiToken(request, 'manager1')}` }
  const seen = await (await request.get(`/api/checks/${checks.items[0].id}`, { headers: manager })).json()
  expect(seen.hazard_ids).toHaveLength(2)
})

test('the safety manager sees due and missed self-checks on the home screen, also offline', async ({ page, context }) => {
  await uiLogin(page, 'manager1')
  const summary = page.getByTestId('self-check-summary')
  await expect(summary).toContainText('今日待查设备')
  await expect(summary).toContainText(/近 7 日漏检 [1-9]\d* 次/)
  await context.setOffline(true)
  await page.reload()
  await expect(page.getByTestId('self-check-summary')).toContainText('本月调度会议')
})
