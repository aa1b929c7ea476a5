import type { CheckSubmit } from '@/api/types'
import type { OutboxItem } from '@/offline/db'
import { describe, expect, it } from 'vitest'
import { isMutualCheckOf, isSelfCheckOf, lastCheckShown, newestQueued } from '@/offline/last-check'

function queued(payload: Partial<CheckSubmit>, state: OutboxItem['state'] = 'pending'): OutboxItem {
  const check: CheckSubmit = {
    id: 'c',
    kind: 'self_check',
    template_id: 1,
    performed_on: '2026-12-06',
    signed_by: '王',
    items: [{ code: 'a', result: 'pass', photos: [] }],
    ...payload,
  }
  return {
    op_id: `op-${Math.random()}`,
    user_id: '1',
    type: 'check.submit',
    payload: check,
    entity_id: check.id,
    photos: [],
    state,
    attempts: 0,
    error: null,
    created_at: '',
    updated_at: '',
  }
}

describe('newestQueued', () => {
  it('takes the newest pending check of the device, failed when any item failed', () => {
    const outbox = [
      queued({ device_id: 7, performed_on: '2026-12-05' }),
      queued({ device_id: 7, performed_on: '2026-12-06', items: [{ code: 'a', result: 'fail', photos: [] }] }),
      queued({ device_id: 8, performed_on: '2026-12-07' }),
    ]
    expect(newestQueued(outbox, isSelfCheckOf(7))).toEqual({ on: '2026-12-06', result: 'fail' })
  })

  it('ignores checks the server refused and other kinds', () => {
    const outbox = [
      queued({ device_id: 7 }, 'attention'),
      queued({ kind: 'inspection', device_id: 7 }),
      queued({ kind: 'mutual_check', enterprise_id: 3 }),
    ]
    expect(newestQueued(outbox, isSelfCheckOf(7))).toBeNull()
    expect(newestQueued(outbox, isMutualCheckOf('3'))).toEqual({ on: '2026-12-06', result: 'pass' })
  })
})

describe('lastCheckShown', () => {
  it('shows the queued check when it is as new as the server one or newer', () => {
    const server = { on: '2026-12-05', result: 'pass' as const }
    expect(lastCheckShown(server, { on: '2026-12-06', result: 'fail' })).toEqual({
      on: '2026-12-06',
      result: 'fail',
      queued: true,
    })
    expect(lastCheckShown(server, { on: '2026-12-05', result: 'fail' })?.queued).toBe(true)
  })

  it("keeps the server's when it is newer, or when nothing is queued", () => {
    const server = { on: '2026-12-06', result: 'pass' as const }
    expect(lastCheckShown(server, { on: '2026-12-01', result: 'fail' })).toEqual({ ...server, queued: false })
    expect(lastCheckShown(null, null)).toBeNull()
  })
})
