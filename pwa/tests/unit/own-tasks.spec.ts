import type { CheckAssignment } from '@/api/types'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cachedChecks } from '@/offline/checks'
import { setMeta } from '@/offline/db'
import { cachedWorkQueue, refreshOwnTasks } from '@/offline/own-tasks'
import { loadSelfCheckTodo } from '@/offline/todo'
import { fakeServer, installTokens, json, resetDb } from './helpers'

const task: CheckAssignment = {
  id: 5, cycle_id: 1, cycle_name: '第4季度区块互查', due_on: '2026-12-27', enterprise_id: 1,
  enterprise_name: '机械示例企业', supervisor_id: 6, check_id: null, done: false,
}

describe('own tasks first', () => {
  beforeEach(async () => {
    await resetDb()
    installTokens()
  })
  afterEach(() => vi.unstubAllGlobals())

  it('a supervisor gets only the task list, and the checklist already on the phone stays', async () => {
    const server = fakeServer()
    server.on('GET /api/mutual-check-assignments', () => json(200, { items: [task], total: 1, page: 1, per_page: 100 }))
    const template = { id: 3, name: '企业检查表' }
    await setMeta('checks:7', { tasks: [], template, fetchedAt: null })
    expect(await refreshOwnTasks('7', 'block_supervisor')).toBe('mutual_check')
    expect(server.calls.map(c => c.url.split('?')[0])).toEqual(['/api/mutual-check-assignments'])
    const cache = await cachedChecks('7')
    expect(cache.tasks.map(t => t.id)).toEqual([5])
    expect(cache.template).toEqual(template)
    expect(cache.fetchedAt).not.toBeNull()
  })

  it('a safety manager gets the self-check status the to-do is computed from', async () => {
    const server = fakeServer()
    const status = {
      enterprise_id: 1, enterprise_name: 'E', zone_id: 1, as_of: '2026-12-07',
      daily: { due: 1, missed: 0, devices: [{ device_id: 9, name: '叉车', category: 'vehicle', due: true, missed: [], last_done: null }] },
      weekly: { due: true, missed: [], last_done: null },
      monthly: { due: true, missed: [], last_done: null },
    }
    server.on('GET /api/self-checks/status', () => json(200, { enterprises: [status], zones: [] }))
    await refreshOwnTasks('7', 'safety_manager')
    const todo = await loadSelfCheckTodo('7', '2026-12-07')
    expect(todo?.daily).toMatchObject({ done: 0, total: 1 })
  })

  it('an inspector gets the work queue count; the sync round and the home asking together share one request', async () => {
    const server = fakeServer()
    server.on('GET /api/work-queue', () => json(200, { as_of: '2026-12-07', total: 4, counts: {}, items: [] }))
    await Promise.all([refreshOwnTasks('7', 'inspector'), refreshOwnTasks('7', 'inspector')])
    expect(server.calls).toHaveLength(1)
    expect((await cachedWorkQueue('7'))?.total).toBe(4)
  })

  it('a failed request is swallowed and keeps the copy already on the phone', async () => {
    const server = fakeServer()
    await setMeta('work-queue:7', { total: 2, counts: {}, fetchedAt: '2026-12-06T08:00:00Z' })
    server.on('GET /api/work-queue', () => 'network')
    await expect(refreshOwnTasks('7', 'inspector')).resolves.toBe('work_queue')
    expect((await cachedWorkQueue('7'))?.total).toBe(2)
  })

  it('a role without own tasks asks nothing', async () => {
    const server = fakeServer()
    expect(await refreshOwnTasks('7', 'maintenance_worker')).toBeNull()
    expect(server.calls).toHaveLength(0)
  })
})
