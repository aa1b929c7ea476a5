// Local writes: every change is saved with its entity in one transaction before any network use.
import type { HazardRow, MaintenanceOrderRow, NoticeRow, OutboxItem } from './db'
import type {
  Device,
  Hazard,
  HazardAction,
  HazardCreate,
  HazardStatus,
  HazardTransition,
  MaintenanceRecordOp,
  OpType,
  PresenceIn,
} from '@/api/types'
import { db, maintenanceEntityId, noticeEntityId } from './db'
import { newUuid } from './uuid'

const NEXT_STATUS: Record<HazardAction, HazardStatus> = {
  start_rectification: 'rectifying',
  submit_rectification: 'rectification_submitted',
  verify: 'verified_closed',
  return: 'rectifying',
}

function nowIso(): string {
  return new Date().toISOString()
}

function stripLocal(row: HazardRow): Hazard {
  const { _sync, _server, ...hazard } = row
  return hazard
}

function newItem(
  userId: string,
  type: OpType,
  entityId: string,
  payload: OutboxItem['payload'],
  photos: string[],
): OutboxItem {
  const at = nowIso()
  return {
    op_id: newUuid(),
    user_id: userId,
    type,
    payload,
    entity_id: entityId,
    photos,
    state: 'pending',
    attempts: 0,
    error: null,
    created_at: at,
    updated_at: at,
  }
}

export interface Actor {
  userId: string
  name: string
}

/** Save a new hazard locally (shown at once as pending) and queue its hazard.create op. */
export async function enqueueHazardCreate(
  actor: Actor,
  payload: HazardCreate,
  device: Device | null,
): Promise<HazardRow> {
  const at = nowIso()
  const row: HazardRow = {
    id: payload.id,
    enterprise_id: payload.enterprise_id ?? device?.enterprise_id ?? null,
    enterprise_name: device?.enterprise_name ?? '',
    device_id: payload.device_id ?? null,
    device_label: device ? `${device.name} ${device.registration_no}` : null,
    source: payload.source,
    category: payload.category,
    severity: payload.severity,
    description: payload.description,
    location: payload.location,
    status: 'reported',
    deadline: payload.deadline ?? null,
    is_overdue: false,
    photos: payload.photos.map(sha256 => ({ sha256, stage: 'before' as const, thumbnail_url: null, url: null })),
    events: [{ action: 'report', actor_name: actor.name, note: null, reason: null, at }],
    allowed_actions: [],
    created_at: at,
    updated_at: at,
    _sync: 'pending',
    _server: null,
  }
  const item = newItem(actor.userId, 'hazard.create', payload.id, payload, payload.photos)
  await db.transaction('rw', db.hazards, db.outbox, async () => {
    await db.hazards.add(row)
    await db.outbox.add(item)
  })
  return row
}

/** Apply a transition optimistically and queue its hazard.transition op. */
export async function enqueueTransition(
  actor: Actor,
  hazardId: string,
  input: { action: HazardAction; note?: string | null; reason?: string | null; photos?: string[] } & PresenceIn,
): Promise<HazardRow> {
  const payload: HazardTransition = {
    hazard_id: hazardId,
    id: newUuid(),
    action: input.action,
    ...(input.note ? { note: input.note } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
    photos: input.photos ?? [],
    ...(input.geolocation !== undefined ? { geolocation: input.geolocation } : {}),
    ...(input.photo_meta?.length ? { photo_meta: input.photo_meta } : {}),
    ...(input.scans?.length ? { scans: input.scans } : {}),
  }
  const item = newItem(actor.userId, 'hazard.transition', hazardId, payload, payload.photos)
  return db.transaction('rw', db.hazards, db.outbox, async () => {
    const row = await db.hazards.get(hazardId)
    if (!row) throw new Error(`hazard ${hazardId} not found on this phone`)
    const at = nowIso()
    const next: HazardRow = {
      ...row,
      status: NEXT_STATUS[input.action],
      photos: [
        ...row.photos,
        ...payload.photos.map(sha256 => ({ sha256, stage: 'after' as const, thumbnail_url: null, url: null })),
      ],
      events: [
        ...row.events,
        {
          action: input.action,
          actor_name: actor.name,
          note: payload.note ?? null,
          reason: payload.reason ?? null,
          at,
        },
      ],
      allowed_actions: [],
      updated_at: at,
      _sync: row._sync === 'attention' ? 'attention' : 'pending',
      _server: row._sync === 'synced' ? stripLocal(row) : (row._server ?? null),
    }
    await db.hazards.put(next)
    await db.outbox.add(item)
    return next
  })
}

/** Sign for a notice on this phone (shown at once as signed) and queue its notice.acknowledge op. */
export async function enqueueNoticeAcknowledge(actor: Actor, noticeId: number, signature: string): Promise<NoticeRow> {
  const payload = { notice_id: noticeId, signature }
  const item = newItem(actor.userId, 'notice.acknowledge', noticeEntityId(noticeId), payload, [signature])
  return db.transaction('rw', db.notices, db.outbox, async () => {
    const row = await db.notices.get(noticeId)
    if (!row) throw new Error(`notice ${noticeId} not found on this phone`)
    const next: NoticeRow = {
      ...row,
      status: row.status === 'overdue' ? 'overdue' : 'acknowledged',
      acknowledged_by: actor.name,
      acknowledged_at: nowIso(),
      allowed_actions: [],
      _pending: true,
    }
    await db.notices.put(next)
    await db.outbox.add(item)
    return next
  })
}

/** Record a maintenance on this phone (the order shows as submitted at once) and queue its maintenance.record op;
 * the item photos and the signature ride with it and are uploaded first. */
export async function enqueueMaintenanceRecord(
  actor: Actor,
  payload: MaintenanceRecordOp,
): Promise<MaintenanceOrderRow> {
  const photos = [...new Set([...payload.photos, ...payload.items.flatMap(i => i.photos), payload.signature])]
  const item = newItem(actor.userId, 'maintenance.record', maintenanceEntityId(payload.order_id), payload, photos)
  return db.transaction('rw', db.maintenanceOrders, db.outbox, async () => {
    const row = await db.maintenanceOrders.get(payload.order_id)
    if (!row) throw new Error(`work order ${payload.order_id} not found on this phone`)
    const next: MaintenanceOrderRow = { ...row, _pending: true }
    await db.maintenanceOrders.put(next)
    await db.outbox.add(item)
    return next
  })
}

export function listOutbox(userId: string): Promise<OutboxItem[]> {
  return db.outbox.where('user_id').equals(userId).sortBy('seq')
}

export async function countOutbox(userId: string): Promise<{ pending: number; attention: number }> {
  const items = await db.outbox.where('user_id').equals(userId).toArray()
  return {
    pending: items.filter(i => i.state === 'pending').length,
    attention: items.filter(i => i.state === 'attention').length,
  }
}

/** Put a needs-attention item back in the queue (same op_id, so the server still de-duplicates it). */
export async function retryItem(seq: number): Promise<void> {
  await db.transaction('rw', db.outbox, db.hazards, db.photos, async () => {
    const item = await db.outbox.get(seq)
    if (!item) return
    await db.outbox.update(seq, { state: 'pending', error: null, attempts: 0, updated_at: nowIso() })
    for (const sha of item.photos) {
      const photo = await db.photos.get(sha)
      if (photo?.state === 'failed') await db.photos.update(sha, { state: 'pending', error: null })
    }
    await refreshHazardMark(item.entity_id)
  })
}

/** Remove an item the user gave up on; the local hazard goes back to the last server copy. */
export async function discardItem(seq: number): Promise<void> {
  await db.transaction('rw', db.outbox, db.hazards, async () => {
    const item = await db.outbox.get(seq)
    if (!item) return
    await db.outbox.delete(seq)
    await refreshHazardMark(item.entity_id, true)
  })
}

/** Recompute a hazard's sync mark from its remaining outbox items. Call inside a rw transaction. */
export async function refreshHazardMark(hazardId: string, restoreWhenClear = false): Promise<void> {
  const row = await db.hazards.get(hazardId)
  if (!row) return
  const items = await db.outbox.where('entity_id').equals(hazardId).toArray()
  if (items.length === 0) {
    if (!restoreWhenClear) {
      await db.hazards.update(hazardId, { _sync: 'synced' })
    } else if (row._server) {
      await db.hazards.put({ ...row._server, _sync: 'synced', _server: undefined })
    } else if (row._server === null) {
      await db.hazards.delete(hazardId)
    } else {
      await db.hazards.update(hazardId, { _sync: 'synced' })
    }
    return
  }
  const mark = items.some(i => i.state === 'attention') ? 'attention' : 'pending'
  if (row._sync !== mark) await db.hazards.update(hazardId, { _sync: mark })
}
