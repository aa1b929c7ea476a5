import type { HazardCreate } from '@/api/types'
import { beforeEach, describe, expect, it } from 'vitest'
import { db, switchDataOwner } from '@/offline/db'
import { countOutbox, discardItem, enqueueHazardCreate, enqueueTransition, listOutbox, retryItem } from '@/offline/outbox'
import { newUuid } from '@/offline/uuid'
import { resetDb } from './helpers'

const actor = { userId: '7', name: '王经理' }

function hazardBody(photos: string[] = []): HazardCreate {
  return {
    id: newUuid(),
    device_id: 11,
    source: 'self_check',
    category: '安全附件',
    severity: 'general',
    description: '压力表超期未检',
    location: '锅炉房',
    photos,
  }
}

describe('outbox', () => {
  beforeEach(resetDb)

  it('makes RFC 4122 v4 ids', () => {
    const id = newUuid()
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(newUuid()).not.toBe(id)
  })

  it('saves the hazard as pending and queues one op in the same write', async () => {
    const body = hazardBody(['a'.repeat(64)])
    const row = await enqueueHazardCreate(actor, body, null)
    expect(row._sync).toBe('pending')
    expect(await db.hazards.get(body.id)).toMatchObject({ id: body.id, status: 'reported', _sync: 'pending' })
    const items = await listOutbox('7')
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({ type: 'hazard.create', entity_id: body.id, state: 'pending', photos: body.photos })
    expect(items[0]!.payload).toEqual(body)
    expect(await countOutbox('7')).toEqual({ pending: 1, attention: 0 })
    expect(await countOutbox('8')).toEqual({ pending: 0, attention: 0 })
  })

  it('applies a transition optimistically and keeps the server copy for discard', async () => {
    await db.hazards.put({
      id: 'h1', enterprise_id: 1, enterprise_name: 'E', device_id: 1, device_label: 'D', source: 'inspection',
      category: 'c', severity: 'major', description: 'd', location: 'l', status: 'reported', deadline: null,
      is_overdue: false, photos: [], events: [], allowed_actions: ['start_rectification'],
      created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', _sync: 'synced',
    })
    const row = await enqueueTransition(actor, 'h1', { action: 'start_rectification', note: '马上整改' })
    expect(row).toMatchObject({ status: 'rectifying', _sync: 'pending', allowed_actions: [] })
    expect(row._server?.status).toBe('reported')
    const [item] = await listOutbox('7')
    expect(item!.payload).toEqual({ hazard_id: 'h1', id: expect.any(String), action: 'start_rectification', note: '马上整改', photos: [] })
    await discardItem(item!.seq!)
    expect(await db.hazards.get('h1')).toMatchObject({ status: 'reported', _sync: 'synced' })
    expect(await db.outbox.count()).toBe(0)
  })

  it('queues a rectification with its after-photo provenance and the phone\'s place', async () => {
    await db.hazards.put({
      id: 'h2', enterprise_id: 1, enterprise_name: 'E', device_id: 1, device_label: 'D', source: 'inspection',
      category: 'c', severity: 'general', description: 'd', location: 'l', status: 'rectifying', deadline: null,
      is_overdue: false, photos: [], events: [], allowed_actions: ['submit_rectification'],
      created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', _sync: 'synced',
    })
    const sha = 'b'.repeat(64)
    const meta = [{ sha256: sha, source: 'gallery' as const, taken_at: '2026-01-02T03:04:05.000Z', geolocation: 'denied' as const }]
    await enqueueTransition(actor, 'h2', { action: 'submit_rectification', photos: [sha], geolocation: 'denied', photo_meta: meta, scans: [] })
    const [item] = await listOutbox('7')
    expect(item).toMatchObject({ type: 'hazard.transition', photos: [sha] })
    expect(item!.payload).toMatchObject({ geolocation: 'denied', photo_meta: meta })
    expect(item!.payload).not.toHaveProperty('scans')
  })

  it('discarding a locally created hazard removes it; retry requeues with the same op_id', async () => {
    const body = hazardBody()
    await enqueueHazardCreate(actor, body, null)
    const [item] = await listOutbox('7')
    await db.outbox.update(item!.seq!, { state: 'attention', error: { code: 'validation', message: 'bad' } })
    await retryItem(item!.seq!)
    const [again] = await listOutbox('7')
    expect(again).toMatchObject({ op_id: item!.op_id, state: 'pending', error: null })
    await discardItem(again!.seq!)
    expect(await db.hazards.get(body.id)).toBeUndefined()
  })

  it('holds another user\'s unsent hazards aside on a user switch and gives them back later', async () => {
    await switchDataOwner('7')
    const mine = await enqueueHazardCreate(actor, hazardBody(), null)
    await db.devices.put({ id: 1, name: 'd' } as never)
    await db.meta.put({ key: 'cursor:8', value: 'old' })

    expect(await switchDataOwner('8')).toBe(true)
    expect(await db.hazards.count()).toBe(0)
    expect(await db.devices.count()).toBe(0)
    expect(await db.meta.get('cursor:8')).toBeUndefined()
    expect(await countOutbox('7')).toEqual({ pending: 1, attention: 0 })

    expect(await switchDataOwner('8')).toBe(false)
    await switchDataOwner('7')
    expect(await db.hazards.get(mine.id)).toMatchObject({ id: mine.id, _sync: 'pending' })
    expect(await db.held.count()).toBe(0)
  })
})
