import type { EnterpriseSelfCheck } from '@/api/types'
import { describe, expect, it } from 'vitest'
import { dailyRemaining, periodOf, selfCheckTodo } from '@/offline/todo'

const status: EnterpriseSelfCheck = {
  enterprise_id: 1,
  enterprise_name: '甲',
  daily: {
    due: 2,
    missed: 0,
    devices: [
      { device_id: 1, name: '客梯', category: 'elevator', due: true, missed: [], last_done: '2026-12-05' },
      { device_id: 2, name: '叉车', category: 'forklift', due: true, missed: [], last_done: null },
      { device_id: 3, name: '锅炉', category: 'boiler', due: false, missed: [], last_done: '2026-12-07' },
    ],
  },
  weekly: { due: true, missed: [], last_done: '2026-11-30' },
  monthly: { due: false, missed: [], last_done: '2026-12-01' },
}
const where = new Map([[1, { location: '1号楼' }], [2, { location: '1号楼' }], [3, { location: '锅炉房' }]])

describe('self-check to-do', () => {
  it('counts what the list shows, grouped by location', () => {
    const todo = selfCheckTodo(status, where, [], '2026-12-07')
    expect(todo.daily.groups.map(g => [g.location, g.done, g.items.length])).toEqual([['1号楼', 0, 2], ['锅炉房', 1, 1]])
    expect(dailyRemaining(todo)).toBe(2)
    expect(todo.weekly.state).toBe('todo')
    expect(todo.monthly.state).toBe('done')
  })

  it('ticks a device checked on this phone at once, and not one checked yesterday', () => {
    const todo = selfCheckTodo(status, where, [
      { subkind: 'daily', deviceId: 2, on: '2026-12-07', queued: true },
      { subkind: 'daily', deviceId: 1, on: '2026-12-06', queued: false },
      { subkind: 'weekly', deviceId: null, on: '2026-12-07', queued: false },
    ], '2026-12-07')
    const states = Object.fromEntries(todo.daily.groups.flatMap(g => g.items).map(i => [i.deviceId, i.state]))
    expect(states).toEqual({ 1: 'todo', 2: 'queued', 3: 'done' })
    expect(dailyRemaining(todo)).toBe(1)
    expect(todo.weekly.state).toBe('done')
  })

  it('starts a new day and week from the cached status', () => {
    const todo = selfCheckTodo(status, where, [], '2026-12-08')
    expect(dailyRemaining(todo)).toBe(3)
    expect(periodOf('weekly', '2026-12-08')).toEqual({ start: '2026-12-07', end: '2026-12-13' })
    expect(periodOf('monthly', '2026-02-10')).toEqual({ start: '2026-02-01', end: '2026-02-28' })
  })
})
