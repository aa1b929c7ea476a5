import { expect, test } from '@playwright/test'
import { apiToken, uiLogin } from './helpers'

function isoDaysAgo(days: number): string {
  const d = new Date(Date.now() - days * 86_400_000)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

test('a mutual check done after the round\'s due date is kept and shown as 逾期完成, apart from the on-time count', async ({ page, request }) => {
  const inspector = { Authorization: `Bearer ${await apiToken(request, 'inspector1')}` }
  const supervisor = { Authorization: `Bearer ${await apiToken(request, 'supervisor1')}` }
  const me = await (await request.get('/api/auth/me', { headers: supervisor })).json()
  const name = `逾期测试轮次 ${Date.now()}`
  const opened = await request.post('/api/mutual-check-cycles', { headers: inspector, data: { name, starts_on: isoDaysAgo(20), due_on: isoDaysAgo(1) } })
  expect(opened.status()).toBe(201)
  const round = await opened.json()
  const ownBlock = round.assignments.find((a: { enterprise_id: number }) => a.enterprise_id === me.enterprise_id).block_id
  const task = round.assignments.find((a: { block_id: number, enterprise_id: number }) => a.block_id === ownBlock && a.enterprise_id !== me.enterprise_id)
  const handed = await request.put(`/api/mutual-check-assignments/${task.id}/supervisor`, { headers: inspector, data: { supervisor_id: me.id } })
  expect(handed.status()).toBe(200)
  const template = (await (await request.get('/api/checklist-templates?purpose=enterprise', { headers: supervisor })).json()).items[0]
  const items = template.sections.flatMap((s: { items: { code: string }[] }) => s.items.map(i => ({ code: i.code, result: 'pass' })))
  const check = await request.post('/api/checks', { headers: supervisor, data: {
    id: crypto.randomUUID(), kind: 'mutual_check', template_id: template.id, assignment_id: task.id, signed_by: '李监督', items,
  } })
  expect(check.status()).toBe(201)

  await uiLogin(page, 'inspector1')
  await page.getByTestId('mutual-rounds-link').click()
  const row = page.locator('.van-cell', { hasText: name })
  await expect(row.getByTestId('round-on-time')).toHaveText('按期完成 0')
  await row.click()
  await expect(page.getByTestId(`task-${task.id}`).getByTestId('task-state')).toHaveText('逾期完成')
  await expect(page.getByTestId('round-on-time')).toContainText('按期完成 0')
})
