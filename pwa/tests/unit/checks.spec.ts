import type { ChecklistTemplate, CheckSubmit } from '@/api/types'
import { beforeEach, describe, expect, it } from 'vitest'
import { cachedChecks, cachedTemplates, enqueueCheckSubmit, queuedAssignments, refreshTemplates, templateFor } from '@/offline/checks'
import { setMeta } from '@/offline/db'
import { listOutbox } from '@/offline/outbox'
import { newUuid } from '@/offline/uuid'
import { resetDb } from './helpers'

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
    expect([...await queuedAssignments('9')]).toEqual([42])
    expect([...await queuedAssignments('10')]).toEqual([])
  })

  it('reads the cached tasks per user and an empty cache before the first fetch', async () => {
    await setMeta('checks:9', { tasks: [{ id: 42 }], template: null, fetchedAt: '2026-03-04T08:00:00Z' })
    expect((await cachedChecks('9')).tasks).toHaveLength(1)
    expect(await cachedChecks('10')).toEqual({ tasks: [], template: null, fetchedAt: null })
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
