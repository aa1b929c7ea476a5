import type { APIRequestContext, Page } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { answerAllItems, apiToken, drawSignature, uiLogin, waitSynced } from './helpers'

function isoDay(offset: number): string {
  const d = new Date(Date.now() + offset * 86_400_000)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

interface Task { id: number, enterprise_id: number, enterprise_name: string, block_id: number, done: boolean }

/** A fresh round of zone 1 with two tasks of supervisor1's block handed to supervisor1 (as the inspector would). */
async function twoTasksForSupervisor1(request: APIRequestContext): Promise<Task[]> {
  const inspector = { Authorization: `Bearer ${await apiToken(request, 'inspector1')}` }
  const supervisor = { Authorization: `Bearer ${await apiToken(request, 'supervisor1')}` }
  const me = await (await request.get('/api/auth/me', { headers: supervisor })).json()
  const opened = await request.post('/api/mutual-check-cycles', {
    headers: inspector,
    data: { name: `任务列表测试轮次 ${Date.now()}`, starts_on: isoDay(-1), due_on: isoDay(14) },
  })
  expect(opened.status()).toBe(201)
  const round = await opened.json() as { assignments: Task[] }
  const block = round.assignments.find(a => a.enterprise_id === me.enterprise_id)!.block_id
  const tasks = round.assignments.filter(a => a.block_id === block && a.enterprise_id !== me.enterprise_id).slice(0, 2)
  expect(tasks).toHaveLength(2)
  for (const task of tasks) {
    const handed = await request.put(`/api/mutual-check-assignments/${task.id}/supervisor`, { headers: inspector, data: { supervisor_id: me.id } })
    expect(handed.status()).toBe(200)
  }
  return tasks
}

async function serverDone(request: APIRequestContext, taskId: number): Promise<boolean> {
  const auth = { Authorization: `Bearer ${await apiToken(request, 'supervisor1')}` }
  const mine = await (await request.get('/api/mutual-check-assignments?mine=true&per_page=100', { headers: auth })).json()
  return mine.items.find((a: { id: number }) => a.id === taskId).done as boolean
}

/** Set a marker on the page: it survives in-app navigation and is gone after any reload. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => { (window as unknown as { noReload: boolean }).noReload = true })
}
async function expectNoReload(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true)
}

test('the supervisor\'s task list follows the sync: a mutual check done online, then one done offline, show as done once uploaded', async ({ page, context, request }) => {
  const [online, offline] = await twoTasksForSupervisor1(request)
  await uiLogin(page, 'supervisor1')
  await page.getByTestId('check-tasks-link').click()
  const rowOf = (task: Task) => page.locator(`[data-testid="check-task"][data-task-id="${task.id}"]`)
  await expect(rowOf(online!)).toContainText('待检查')
  await expect(rowOf(offline!)).toContainText('待检查')
  // x / y done above the list, and what still needs doing is listed before what is done
  const progress = page.getByTestId('check-tasks-progress')
  await expect(progress).toHaveText(/^\s*\d+ \/ \d+ 已完成\s*$/)
  const doneBefore = Number((await progress.innerText()).trim().split(' ')[0])
  const states = await page.getByTestId('check-task').evaluateAll(rows => rows.map(r => r.getAttribute('data-state')))
  expect(states.indexOf('done') === -1 || states.lastIndexOf('todo') < states.indexOf('done')).toBe(true)

  // online: the form starts unanswered and refuses a one-tap signature
  await rowOf(online!).click()
  const items = page.getByTestId('check-item')
  await expect(items.nth(5)).toBeVisible() // the checklist renders after its template loads: count it then
  const total = await items.count()
  expect(total).toBeGreaterThan(5)
  await expect(page.getByTestId('check-progress')).toContainText(`已答 0 / ${total}`)
  await expect(page.locator('.van-radio__icon--checked')).toHaveCount(0)
  await page.screenshot({ path: '/tmp/mutual-form-unanswered.png' })
  await page.getByTestId('submit-check').click()
  await expect(page.getByText(`还有 ${total} 项未作答`)).toBeVisible()
  await expect(page).toHaveURL(new RegExp(`/checks/${online!.id}$`))
  await expect(page.getByTestId('item-missing')).toHaveCount(total)

  for (let n = 0; n < 5; n++) await items.nth(n).getByTestId('item-pass').click()
  await items.nth(5).getByTestId('item-na').click()
  await expect(page.getByTestId('check-progress')).toContainText(`已答 6 / ${total}`)
  await expect(page.getByTestId('check-missing')).toContainText(`${total - 6} 项未作答`)
  await expect(page.getByTestId('item-missing')).toHaveCount(total - 6)
  await page.screenshot({ path: '/tmp/mutual-form-partial.png' })
  // the answers so far are a draft: they survive the tab being reloaded
  await page.reload()
  await expect(page.getByTestId('check-progress')).toContainText(`已答 6 / ${total}`)
  await expect(items.nth(5).locator('.van-radio__icon--checked')).toHaveCount(1)
  await page.getByTestId('submit-check').click()
  await expect(page.getByText(`还有 ${total - 6} 项未作答`)).toBeVisible()
  // the first unanswered item is brought into view
  await expect(items.nth(6)).toBeInViewport()
  await expect(items.nth(6).getByTestId('item-missing')).toBeVisible()
  await page.screenshot({ path: '/tmp/mutual-form-blocked.png' })
  expect(await serverDone(request, online!.id)).toBe(false)

  await answerAllItems(page)
  await expect(page.getByTestId('item-missing')).toHaveCount(0)
  await markPage(page)
  await drawSignature(page)
  await page.getByTestId('submit-check').click()
  await expect(page).toHaveURL(/\/checks$/)
  await expect(rowOf(online!).getByTestId('check-task-state')).toHaveText('已完成', { timeout: 30_000 })
  expect(await serverDone(request, online!.id)).toBe(true)
  await expect(progress).toContainText(`${doneBefore + 1} / `)
  await expectNoReload(page)

  // offline: saved on the phone, shown as checked and waiting to upload (also after a reload), done after the sync
  await context.setOffline(true)
  await rowOf(offline!).click()
  await answerAllItems(page)
  await drawSignature(page)
  await page.getByTestId('submit-check').click()
  await expect(page).toHaveURL(/\/checks$/)
  await expect(rowOf(offline!).getByTestId('check-task-state')).toHaveText('已检查·待上传')
  await expect(rowOf(online!).getByTestId('check-task-state')).toHaveText('已完成')
  await page.reload()
  await expect(rowOf(offline!).getByTestId('check-task-state')).toHaveText('已检查·待上传')
  await expect(page.getByTestId('sync-status')).toContainText('1 条待上传')
  await page.screenshot({ path: '/tmp/mutual-task-queued.png' })
  await markPage(page)

  await context.setOffline(false)
  await page.getByTestId('sync-now').click()
  await waitSynced(page)
  await expect(rowOf(offline!).getByTestId('check-task-state')).toHaveText('已完成')
  expect(await serverDone(request, offline!.id)).toBe(true)
  await expectNoReload(page)
  await page.screenshot({ path: '/tmp/mutual-task-list.png' })
})
