import type { HazardCreate } from '@/api/types'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '@/offline/db'
import { enqueueHazardCreate, listOutbox } from '@/offline/outbox'
import { pruneUploadedPhotos, storePhoto } from '@/offline/photos'
import { backoffDelay, SyncEngine } from '@/offline/sync'
import { newUuid } from '@/offline/uuid'
import { allStatus, apiError, fakeServer, installTokens, json, resetDb } from './helpers'

const actor = { userId: '7', name: '王经理' }

function body(photos: string[] = []): HazardCreate {
  return { id: newUuid(), device_id: 11, source: 'self_check', category: 'c', severity: 'general', description: 'd', location: 'l', photos }
}

async function jpegLike(seed: number) {
  const bytes = new Uint8Array(2048).map((_, i) => (i * seed) % 251)
  return storePhoto('7', { blob: new Blob([bytes], { type: 'image/jpeg' }), width: 32, height: 32 })
}

const engines: SyncEngine[] = []
function engine(batchSize = 2) {
  const e = new SyncEngine({ getUserId: () => '7', random: () => 0.5, batchSize })
  engines.push(e)
  return e
}

describe('sync engine', () => {
  let tokens: ReturnType<typeof installTokens>
  beforeEach(async () => {
    await resetDb()
    tokens = installTokens()
  })
  afterEach(() => {
    engines.splice(0).forEach(e => e.stop())
    vi.unstubAllGlobals()
    vi.useRealTimers()
  })

  it('uploads photos before pushing ops, then pulls', async () => {
    const server = fakeServer()
    server.on('POST /api/sync/push', allStatus('applied'))
    const p1 = await jpegLike(3)
    const p2 = await jpegLike(5)
    await enqueueHazardCreate(actor, body([p1.sha256, p2.sha256]), null)
    const e = engine()
    expect(await e.syncNow()).toBe('ok')
    expect(server.calls.map(c => `${c.method} ${c.url.split('?')[0]}`)).toEqual([
      `PUT /api/photos/${p1.sha256}`,
      `PUT /api/photos/${p2.sha256}`,
      'POST /api/sync/push',
      'GET /api/sync/pull',
    ])
    expect(server.calls[0]!.auth).toBe('Bearer a1')
    expect((await db.photos.get(p1.sha256))!.state).toBe('uploaded')
    expect(await db.outbox.count()).toBe(0)
    expect(e.status.lastSyncAt).not.toBeNull()
    expect(await db.meta.get('cursor:7')).toEqual({ key: 'cursor:7', value: 'c1' })
  })

  it('treats duplicate as success and sends ops in batches, in order', async () => {
    const server = fakeServer()
    server.on('POST /api/sync/push', allStatus('duplicate'))
    const ids = []
    for (let i = 0; i < 3; i++) ids.push((await enqueueHazardCreate(actor, body(), null)).id)
    await engine().syncNow()
    expect(server.pushed.map(b => b.length)).toEqual([2, 1])
    expect(server.pushed.flat().map(op => (op.payload as HazardCreate).id)).toEqual(ids)
    expect(await db.outbox.count()).toBe(0)
    expect((await db.hazards.get(ids[0]!))!._sync).toBe('synced')
  })

  it('moves conflict and rejected ops to needs-attention without blocking later ops', async () => {
    const server = fakeServer()
    const a = await enqueueHazardCreate(actor, body(), null)
    const b = await enqueueHazardCreate(actor, body(), null)
    await enqueueHazardCreate(actor, body(), null)
    server.on('POST /api/sync/push', (call) => {
      const ops = (call.body as { ops: { op_id: string }[] }).ops
      const statuses = ['conflict', 'rejected', 'applied']
      return json(200, { results: ops.map((op, i) => ({
        op_id: op.op_id,
        status: statuses[i],
        ...(i < 2 ? { error: { code: i ? 'validation_error' : 'id_conflict', message: i ? '描述不能为空' : '编号已被占用' } } : {}),
      })) })
    })
    await engine(10).syncNow()
    const left = await listOutbox('7')
    expect(left.map(i => [i.entity_id, i.state, i.error?.message])).toEqual([
      [a.id, 'attention', '编号已被占用'],
      [b.id, 'attention', '描述不能为空'],
    ])
    expect((await db.hazards.get(a.id))!._sync).toBe('attention')
  })

  it('keeps everything and backs off on a network failure', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const server = fakeServer()
    server.on('POST /api/sync/push', () => 'network', allStatus('applied'))
    await enqueueHazardCreate(actor, body(), null)
    const e = engine()
    expect(await e.syncNow()).toBe('retry')
    expect(e.status.failures).toBe(1)
    expect(e.status.lastError).toBe('Failed to fetch')
    expect(e.status.lastErrorCode).toBe('network_error')
    expect(e.status.nextRetryAt).not.toBeNull()
    expect(await db.outbox.count()).toBe(1)
    await vi.advanceTimersByTimeAsync(backoffDelay(1, () => 0.5) + 10)
    // the retry round is over once it reset the failures (the outbox empties earlier, before its pull)
    await vi.waitFor(() => expect(e.status.failures).toBe(0))
    expect(await db.outbox.count()).toBe(0)
  })

  it('retries 5xx and 429 the same way', async () => {
    const server = fakeServer()
    server.on('POST /api/sync/push', () => apiError(503, 'unavailable'), () => apiError(429, 'rate_limited'), allStatus('applied'))
    await enqueueHazardCreate(actor, body(), null)
    const e = engine()
    expect(await e.syncNow()).toBe('retry')
    expect(await e.syncNow()).toBe('retry')
    expect(e.status.failures).toBe(2)
    expect(await e.syncNow()).toBe('ok')
    expect(await db.outbox.count()).toBe(0)
  })

  it('resends the same op_id after a lost response, so the server can de-duplicate', async () => {
    const server = fakeServer()
    server.on('POST /api/sync/push', () => 'network', allStatus('duplicate'))
    await enqueueHazardCreate(actor, body(), null)
    const e = engine()
    await e.syncNow()
    await e.syncNow()
    expect(server.pushed).toHaveLength(2)
    expect(server.pushed[1]![0]!.op_id).toBe(server.pushed[0]![0]!.op_id)
    expect(server.pushed[1]![0]!.payload).toEqual(server.pushed[0]![0]!.payload)
    expect(await db.outbox.count()).toBe(0)
  })

  it('refreshes an expired token once and carries on', async () => {
    const server = fakeServer()
    server.on('POST /api/sync/push', () => apiError(401, 'token_expired'), allStatus('applied'))
    server.on('POST /api/auth/refresh', () => json(200, { access_token: 'a2' }))
    await enqueueHazardCreate(actor, body(), null)
    expect(await engine().syncNow()).toBe('ok')
    const refresh = server.calls.find(c => c.url === '/api/auth/refresh')!
    expect(refresh.auth).toBe('Bearer r1')
    expect(server.calls.filter(c => c.url === '/api/sync/push').map(c => c.auth)).toEqual(['Bearer a1', 'Bearer a2'])
  })

  it('pauses the queue on 401 and keeps every item until a new login', async () => {
    const server = fakeServer()
    server.on('POST /api/sync/push', () => apiError(401, 'token_revoked'), allStatus('applied'))
    await enqueueHazardCreate(actor, body(), null)
    const e = engine()
    expect(await e.syncNow()).toBe('auth')
    expect(e.status.authPaused).toBe(true)
    expect(tokens.lost).toEqual(['token_revoked'])
    expect(await e.syncNow()).toBe('auth')
    expect(server.pushed).toHaveLength(1)
    expect(await listOutbox('7')).toHaveLength(1)
    expect(await e.resume()).toBe('ok')
    expect(await db.outbox.count()).toBe(0)
  })

  it('marks ops whose photo the server refuses as needing attention', async () => {
    const server = fakeServer()
    server.on('PUT /api/photos/*', () => apiError(413, 'photo_too_large', '照片过大'))
    server.on('POST /api/sync/push', allStatus('applied'))
    const p = await jpegLike(7)
    const h = await enqueueHazardCreate(actor, body([p.sha256]), null)
    await enqueueHazardCreate(actor, body(), null)
    await engine().syncNow()
    expect(server.pushed.flat()).toHaveLength(1)
    const [left] = await listOutbox('7')
    expect(left).toMatchObject({ entity_id: h.id, state: 'attention', error: { code: 'photo_too_large', message: '照片过大' } })
  })

  it('never sends another user\'s queue', async () => {
    const server = fakeServer()
    server.on('POST /api/sync/push', allStatus('applied'))
    await enqueueHazardCreate({ userId: '8', name: 'other' }, body(), null)
    await engine().syncNow()
    expect(server.pushed).toHaveLength(0)
    expect(await db.outbox.count()).toBe(1)
  })

  it('pulls every page and applies changes and tombstones', async () => {
    const server = fakeServer()
    await db.devices.put({ id: 99 } as never)
    server.on('GET /api/sync/pull',
      () => json(200, { changes: [{ entity: 'device', id: 1, deleted: false, data: { id: 1, name: 'A', qr_token: 'tok' } }], cursor: 'p1', more: true }),
      () => json(200, { changes: [{ entity: 'device', id: '99', deleted: true, data: null }], cursor: 'p2', more: false }),
    )
    await engine().syncNow()
    expect(server.calls.map(c => c.url)).toEqual(['/api/sync/pull', '/api/sync/pull?cursor=p1'])
    expect(await db.devices.where('qr_token').equals('tok').first()).toMatchObject({ id: 1, name: 'A' })
    expect(await db.devices.get(99)).toBeUndefined()
    expect((await db.meta.get('cursor:7'))!.value).toBe('p2')
  })

  it('fetches the own tasks beside the first download, before its first page is in, and not on later rounds', async () => {
    const server = fakeServer()
    let releasePull!: () => void
    const pullHeld = new Promise<void>(resolve => (releasePull = resolve))
    server.on('GET /api/sync/pull', async () => {
      await pullHeld
      return json(200, { changes: [{ entity: 'device', id: 1, deleted: false, data: { id: 1, name: 'A' } }], cursor: 'p1', more: false })
    })
    const own = vi.fn(async (userId: string) => {
      await db.meta.put({ key: `own:${userId}`, value: 'tasks' })
    })
    const e = new SyncEngine({ getUserId: () => '7', random: () => 0.5, ownTasksFirst: own })
    engines.push(e)
    const round = e.syncNow()
    await vi.waitFor(async () => expect(await db.meta.get('own:7')).toMatchObject({ value: 'tasks' }))
    // the tasks are on the phone while the first page is still on its way; the cursor is not moved by them
    expect(await db.meta.get('cursor:7')).toBeUndefined()
    releasePull()
    expect(await round).toBe('ok')
    expect((await db.meta.get('cursor:7'))!.value).toBe('p1')
    expect(own).toHaveBeenCalledTimes(1)
    expect(await e.syncNow()).toBe('ok')
    expect(own).toHaveBeenCalledTimes(1)
  })

  it('finishes the first download when the own tasks cannot be fetched', async () => {
    fakeServer()
    const own = vi.fn(async () => {
      throw new Error('tasks endpoint down')
    })
    const e = new SyncEngine({ getUserId: () => '7', random: () => 0.5, ownTasksFirst: own })
    engines.push(e)
    expect(await e.syncNow()).toBe('ok')
    expect(own).toHaveBeenCalledTimes(1)
    expect((await db.meta.get('cursor:7'))!.value).toBe('c1')
    expect(e.status.lastError).toBeNull()
  })

  it('reports the running count of changes applied during a pull', async () => {
    const server = fakeServer()
    const change = (id: number) => ({ entity: 'device', id, deleted: false, data: { id, name: `D${id}` } })
    server.on('GET /api/sync/pull',
      () => json(200, { changes: [change(1), change(2)], cursor: 'p1', more: true }),
      () => json(200, { changes: [change(3)], cursor: 'p2', more: false }),
    )
    const seen: number[] = []
    const e = new SyncEngine({ getUserId: () => '7', random: () => 0.5, onStatus: s => { if (s.phase === 'pull') seen.push(s.progress.done) } })
    engines.push(e)
    await e.syncNow()
    expect(seen).toEqual([0, 2, 3])
  })

  it('frees uploaded photo bytes after a week unless a queued op still cites them', async () => {
    const kept = await jpegLike(11)
    const old = await jpegLike(13)
    const weekAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000).toISOString()
    await db.photos.bulkUpdate([kept, old].map(p => ({ key: p.sha256, changes: { state: 'uploaded', created_at: weekAgo } })))
    await enqueueHazardCreate(actor, body([kept.sha256]), null)
    expect(await pruneUploadedPhotos()).toBe(1)
    expect(await db.photos.get(old.sha256)).toBeUndefined()
    expect(await db.photos.get(kept.sha256)).toBeDefined()
  })

  it('backoff grows exponentially with a cap', () => {
    const mid = () => 0.5
    expect(backoffDelay(1, mid)).toBe(2000)
    expect(backoffDelay(2, mid)).toBe(4000)
    expect(backoffDelay(3, mid)).toBe(8000)
    expect(backoffDelay(20, mid)).toBe(300_000)
    expect(backoffDelay(1, () => 0)).toBe(1600)
    expect(backoffDelay(1, () => 1)).toBe(2400)
  })
})
