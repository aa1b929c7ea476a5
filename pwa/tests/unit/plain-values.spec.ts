import type { CheckSubmit, Device, HazardAction } from '@/api/types'
import { beforeEach, describe, expect, it } from 'vitest'
import { reactive, ref } from 'vue'
import { enqueueCheckSubmit } from '@/offline/checks'
import { db, setMeta } from '@/offline/db'
import { enqueueTransition, listOutbox } from '@/offline/outbox'
import { plainValue } from '@/offline/plain'
import { resetDb } from './helpers'

// Forms hand the offline store Vue reactive state; IndexedDB cannot clone a proxy (DataCloneError) and the record
// would be lost. Every write goes through one boundary that unwraps them.

const actor = { userId: '7', name: '王经理' }

async function putRectifyingHazard(id: string): Promise<void> {
  await db.hazards.put({
    id, enterprise_id: 1, enterprise_name: 'E', device_id: 1, device_label: 'D', source: 'inspection',
    category: 'c', severity: 'general', description: 'd', location: 'l', status: 'rectifying', deadline: null,
    is_overdue: false, photos: [], events: [], allowed_actions: ['submit_rectification'],
    created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', _sync: 'synced',
  })
}

describe('the offline store takes reactive form state', () => {
  beforeEach(resetDb)

  it('queues a rectification whose after-photo list is a ref from the form', async () => {
    await putRectifyingHazard('h1')
    const photos = ref<string[]>(['a'.repeat(64)])
    const row = await enqueueTransition(actor, 'h1', { action: 'submit_rectification', note: '已更换', photos: photos.value })
    expect(row.status).toBe('rectification_submitted')
    const [item] = await listOutbox('7')
    expect(item!.photos).toEqual(['a'.repeat(64)])
    expect(item!.payload).toMatchObject({ action: 'submit_rectification', photos: ['a'.repeat(64)] })
    expect((await db.hazards.get('h1'))!.photos).toEqual([{ sha256: 'a'.repeat(64), stage: 'after', thumbnail_url: null, url: null }])
  })

  it('queues a check whose answers are reactive', async () => {
    const payload = reactive<CheckSubmit>({
      id: 'c1', kind: 'self_check', subkind: 'daily', device_id: 3, template_id: 1, performed_on: '2026-01-02',
      signed_by: '王经理', summary: '', items: [{ code: 'A1', result: 'fail', note: '漏油', photos: ['b'.repeat(64)] }],
    })
    await enqueueCheckSubmit('7', payload)
    const [item] = await listOutbox('7')
    expect(item!.payload).toEqual(JSON.parse(JSON.stringify(payload)))
  })

  it('caches a device and a summary held in refs', async () => {
    const device = ref({ id: 5, name: '电梯', registration_no: 'R5' } as unknown as Device)
    await db.devices.put(device.value)
    await setMeta('figures', ref({ at: 'now', counts: [1, 2] }).value)
    expect(await db.devices.get(5)).toMatchObject({ id: 5, name: '电梯' })
    expect(await db.meta.get('figures')).toEqual({ key: 'figures', value: { at: 'now', counts: [1, 2] } })
  })

  it('updates a row with a reactive change', async () => {
    await putRectifyingHazard('h2')
    await db.hazards.update('h2', { allowed_actions: reactive<HazardAction[]>(['submit_rectification', 'verify']) })
    expect((await db.hazards.get('h2'))!.allowed_actions).toEqual(['submit_rectification', 'verify'])
  })
})

describe('plainValue', () => {
  it('unwraps nested proxies and keeps bytes and blobs as they are', () => {
    const bytes = new ArrayBuffer(4)
    const blob = new Blob(['x'])
    const value = plainValue({ list: reactive(['a', { b: reactive({ c: 1 }) }]), bytes, blob, when: null })
    expect(value).toEqual({ list: ['a', { b: { c: 1 } }], bytes, blob, when: null })
    expect(value.bytes).toBe(bytes)
    expect(value.blob).toBe(blob)
    expect(() => structuredClone(value.list)).not.toThrow()
  })
})
