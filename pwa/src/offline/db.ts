// The only file that knows the IndexedDB schema (Dexie database 'sesv').
import type { DBCore, DBCoreMutateRequest, Middleware, Table } from 'dexie'
import type { MaintenanceOrder } from '@/api/maintenance'
import type { Notice } from '@/api/notices'
import type {
  CheckSubmit,
  Device,
  Enterprise,
  Hazard,
  HazardCreate,
  HazardTransition,
  MaintenanceRecordOp,
  NoticeAcknowledge,
  OpType,
} from '@/api/types'
import Dexie from 'dexie'
import { plainValue } from './plain'

/** synced: same as the server; pending: local changes waiting in the outbox; attention: the server refused one. */
export type SyncMark = 'synced' | 'pending' | 'attention'

export interface HazardRow extends Hazard {
  _sync: SyncMark
  /** Last server copy while local changes are pending; null when the hazard was created on this phone. */
  _server?: Hazard | null
}

export type OutboxState = 'pending' | 'attention'

export interface OutboxItem {
  seq?: number
  op_id: string
  user_id: string
  type: OpType
  payload: HazardCreate | HazardTransition | CheckSubmit | NoticeAcknowledge | MaintenanceRecordOp
  entity_id: string
  photos: string[]
  state: OutboxState
  attempts: number
  error: { code: string; message: string } | null
  created_at: string
  updated_at: string
}

export type PhotoState = 'pending' | 'uploaded' | 'failed'

export interface PhotoRow {
  sha256: string
  user_id: string
  /** The JPEG bytes; `bytes` is used instead where the browser cannot store Blobs. */
  blob?: Blob
  bytes?: ArrayBuffer
  type: string
  size: number
  width: number
  height: number
  state: PhotoState
  error: string | null
  created_at: string
}

/** A hazard with unsent local changes of a user who is not the one signed in now. */
export interface HeldRow {
  id: string
  user_id: string
  row: HazardRow
}

/** A notice as pulled; `_pending` while this phone's signature waits in the outbox. */
export interface NoticeRow extends Notice {
  _pending?: boolean
}

/** Outbox items about a notice name it so (hazard ids are UUIDs, notice ids numbers). */
export function noticeEntityId(id: number): string {
  return `notice:${id}`
}

/** A maintenance work order as fetched; `_pending` while this phone's record of it waits in the outbox. */
export interface MaintenanceOrderRow extends MaintenanceOrder {
  _pending?: boolean
}

/** Outbox items about a maintenance order name it so. */
export function maintenanceEntityId(id: number): string {
  return `maintenance:${id}`
}

export interface MetaRow {
  key: string
  value: unknown
}

function withPlainValues(req: DBCoreMutateRequest): DBCoreMutateRequest {
  return req.type === 'add' || req.type === 'put' ? { ...req, values: req.values.map(plainValue) } : req
}

/** Every write to every table passes here, so no caller can hand IndexedDB a reactive proxy (see ./plain). */
const plainValuesOnly: Middleware<DBCore> = {
  stack: 'dbcore',
  name: 'plain-values',
  create: down => ({
    ...down,
    table: name => {
      const table = down.table(name)
      return { ...table, mutate: req => table.mutate(withPlainValues(req)) }
    },
  }),
}

export class SesvDB extends Dexie {
  devices!: Table<Device, number | string>
  hazards!: Table<HazardRow, string>
  enterprises!: Table<Enterprise, number | string>
  outbox!: Table<OutboxItem, number>
  photos!: Table<PhotoRow, string>
  meta!: Table<MetaRow, string>
  held!: Table<HeldRow, string>
  notices!: Table<NoticeRow, number>
  maintenanceOrders!: Table<MaintenanceOrderRow, number>

  constructor() {
    super('sesv', { chromeTransactionDurability: 'strict' })
    this.version(1).stores({
      devices: 'id, qr_token, device_code, registration_no, enterprise_id, category, status, inspection_state',
      hazards: 'id, device_id, enterprise_id, status, _sync, updated_at',
      enterprises: 'id',
      outbox: '++seq, &op_id, user_id, state, entity_id',
      photos: 'sha256, state, user_id',
      meta: 'key',
      held: 'id, user_id',
    })
    this.version(2).stores({ notices: 'id, enterprise_id, status' })
    this.version(3).stores({ maintenanceOrders: 'id, device_id, status' })
    this.use(plainValuesOnly)
  }
}

export const db = new SesvDB()

export async function getMeta<T>(key: string): Promise<T | undefined> {
  return (await db.meta.get(key))?.value as T | undefined
}

export async function setMeta(key: string, value: unknown): Promise<void> {
  await db.meta.put({ key, value })
}

export function cursorKey(userId: string): string {
  return `cursor:${userId}`
}

/** When this user's copy last finished a sync round (kept so an offline reload can say so). */
export function lastSyncKey(userId: string): string {
  return `last-sync:${userId}`
}

/**
 * Make the local copy belong to `userId` before anything of theirs is pulled or shown. When another user's data
 * is there: their unsent hazards are held aside (restored when they sign in again), server copies are dropped and
 * the new user's cursor is reset so a full pull follows.
 */
export async function switchDataOwner(userId: string): Promise<boolean> {
  const tables = [db.devices, db.hazards, db.enterprises, db.notices, db.maintenanceOrders, db.meta, db.held, db.outbox]
  return db.transaction('rw', tables, async () => {
    const owner = (await db.meta.get('data_owner'))?.value as string | undefined
    if (owner === userId) return false
    if (owner === undefined) {
      await db.meta.put({ key: 'data_owner', value: userId })
      return false
    }
    const local = await db.hazards.where('_sync').notEqual('synced').toArray()
    for (const row of local) {
      const item = await db.outbox.where('entity_id').equals(row.id).first()
      await db.held.put({ id: row.id, user_id: item?.user_id ?? owner, row })
    }
    await db.hazards.clear()
    await db.devices.clear()
    await db.enterprises.clear()
    await db.notices.clear()
    await db.maintenanceOrders.clear()
    await db.meta.delete(cursorKey(userId))
    await db.meta.delete(lastSyncKey(userId))
    const mine = await db.held.where('user_id').equals(userId).toArray()
    await db.hazards.bulkPut(mine.map(h => h.row))
    await db.held.bulkDelete(mine.map(h => h.id))
    await db.meta.put({ key: 'data_owner', value: userId })
    return true
  })
}
