import type { CheckAssignment, ChecklistTemplate, CheckSubmit } from '@/api/types'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  cachedChecks,
  cachedTemplates,
  enqueueCheckSubmit,
  queuedAssignments,
  refreshChecks,
  refreshTemplates,
  taskState,
  templateFor,
} from '@/offline/checks'
import { db, setMeta } from '@/offline/db'
import { listOutbox } from '@/offline/outbox'
import { SyncEngine } from '@/offline/sync'
import { newUuid } from '@/offline/uuid'
import { allStatus, fakeServer, installTokens, json, resetDb } from './helpers'

function checkBody(): CheckSubmit {
  return {
    id: newUuid(),
    kind: 'mutual_check',
    template_id: 1,
    assignment_id: 42,
    performed_on: '2026-03-04',
    signed_by: '李监督',
    items: [
      { code: 'a.1', result: 'fail', note: '未设置安全管理机构', photos: ['a'.repeat(64)] },
      { code: 'a.2', result: 'fail', photos: ['b'.repeat(64), 'a'.repeat(64)] },
      { code: 'a.3', result: 'pass', photos: [] },
    ],
  }
}

describe('check outbox', () => {
  beforeEach(resetDb)

  it('queues a check.submit op citing each photo once, keyed by the check id', async () => {
    const body = checkBody()
    await enqueueCheckSubmit('9', body)
    const [item] = await listOutbox('9')
    expect(item).toMatchObject({ type: 'check.submit', entity_id: body.id, state: 'pending' })
    expect(item!.photos).toEqual(['a'.repeat(64), 'b'.repeat(64)])
    expect(item!.payload).toEqual(body)
  })

  it('marks the assignment as queued for that user only', async () => {
    await enqueueCheckSubmit('9', checkBody())
    expect([...await queuedAssignments('9')]).toEqual([[42, 'pending']])
    expect([...await queuedAssignments('10')]).toEqual([])
  })

  it('reads the cached tasks per user and an empty cache before the first fetch', async () => {
    await setMeta('checks:9', { tasks: [{ id: 42 }], template: null, fetchedAt: '2026-03-04T08:00:00Z' })
    expect((await cachedChecks('9')).tasks).toHaveLength(1)
    expect(await cachedChecks('10')).toEqual({ tasks: [], template: null, fetchedAt: null })
  })
})

function task(id: number, done = false): CheckAssignment {
  return { id, cycle_id: 1, cycle_name: '第一轮', due_on: '2026-03-31', enterprise_id: 1, enterprise_name: '甲公司', supervisor_id: 9, check_id: null, done }
}

describe('the mutual-check task list follows the sync', () => {
  const engines: SyncEngine[] = []
  beforeEach(async () => {
    await resetDb()
    installTokens()
    await setMeta('checks:9', { tasks: [task(42), task(43)], template: null, fetchedAt: '2026-03-04T08:00:00Z' })
  })
  afterEach(() => {
    engines.splice(0).forEach(e => e.stop())
    vi.unstubAllGlobals()
  })
  function engine(): SyncEngine {
    const e = new SyncEngine({ getUserId: () => '9', random: () => 0.5 })
    engines.push(e)
    return e
  }
  async function states(): Promise<Record<number, string>> {
    const queued = await queuedAssignments('9')
    return Object.fromEntries((await cachedChecks('9')).tasks.map(a => [a.id, taskState(a, queued)]))
  }

  it('shows a saved check as queued, and as done once the server applied it, without refetching the tasks', async () => {
    const server = fakeServer()
    server.on('POST /api/sync/push', allStatus('applied'))
    const body = checkBody()
    await enqueueCheckSubmit('9', body)
    expect(await states()).toEqual({ 42: 'queued', 43: 'todo' })
    expect(await engine().syncNow()).toBe('ok')
    expect(await states()).toEqual({ 42: 'done', 43: 'todo' })
    expect((await cachedChecks('9')).tasks[0]!.check_id).toBe(body.id)
    expect(server.calls.some(c => c.url.includes('/api/mutual-check-assignments'))).toBe(false)
  })

  it('shows a refused check as needing attention, not as to do', async () => {
    const server = fakeServer()
    server.on('POST /api/sync/push', allStatus('rejected'))
    await enqueueCheckSubmit('9', checkBody())
    await engine().syncNow()
    expect(await states()).toEqual({ 42: 'attention', 43: 'todo' })
  })

  it('marks a task done when its check arrives in the change feed (done from another phone)', async () => {
    const server = fakeServer()
    server.on('GET /api/sync/pull', () => json(200, {
      changes: [{ entity: 'check', id: 'c-1', deleted: false, data: { id: 'c-1', assignment_id: '43' } }],
      cursor: 'c2',
      more: false,
    }))
    expect(await engine().syncNow()).toBe('ok')
    expect(await states()).toEqual({ 42: 'todo', 43: 'done' })
  })

  it('keeps a task done when a task list fetched before the check arrived says to do', async () => {
    await db.transaction('rw', db.meta, () => setMeta('checks:9', { tasks: [task(42, true), task(43)], template: null, fetchedAt: null }))
    const server = fakeServer()
    server.on('GET /api/mutual-check-assignments', () => json(200, { items: [task(42), task(43)], total: 2, page: 1, per_page: 100 }))
    server.on('GET /api/checklist-templates', () => json(200, { items: [] }))
    await refreshChecks('9')
    expect(await states()).toEqual({ 42: 'done', 43: 'todo' })
  })
})

describe('checklists for the self-check and inspection forms', () => {
  beforeEach(resetDb)

  const tpl = (id: number, purpose: ChecklistTemplate['purpose'], category: string | null = null): ChecklistTemplate =>
    ({ id, code: `t${id}`, version: 1, purpose, device_category: category, title: `T${id}`, sections: [] })
  const all = [tpl(1, 'enterprise'), tpl(2, 'daily_device', 'boiler'), tpl(3, 'daily_device', 'elevator'),
    tpl(4, 'weekly_investigation'), tpl(5, 'monthly_dispatch')]

  it('picks the daily checklist by device category, the rhythm\'s for weekly / monthly, the enterprise one otherwise', () => {
    expect(templateFor(all, 'self_check', 'daily', 'elevator')?.id).toBe(3)
    expect(templateFor(all, 'self_check', 'daily', 'crane')).toBeNull()
    expect(templateFor(all, 'self_check', 'weekly')?.id).toBe(4)
    expect(templateFor(all, 'self_check', 'monthly')?.id).toBe(5)
    expect(templateFor(all, 'inspection', 'special', 'boiler')?.id).toBe(1)
    expect(templateFor(all, 'mutual_check', '')?.id).toBe(1)
  })

  it('keeps the cached checklists when the refresh cannot reach the server', async () => {
    await setMeta('check-templates:9', all)
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false })
    try {
      expect(await refreshTemplates('9')).toHaveLength(5)
      expect(await cachedTemplates('9')).toHaveLength(5)
    }
    finally {
      // the own property goes; the prototype's getter answers again
      delete (navigator as { onLine?: boolean }).onLine
    }
  })
})
