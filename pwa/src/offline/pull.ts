// Apply GET /api/sync/pull pages into Dexie; page and cursor are saved in one transaction.
import type { HazardRow } from './db'
import type { Notice } from '@/api/notices'
import type { CheckSubmit, Device, Enterprise, Hazard, PullChange } from '@/api/types'
import { pullChanges } from '@/api/sync'
import { markAssignmentDone } from './checks'
import { cursorKey, db, getMeta, noticeEntityId, switchDataOwner } from './db'
import { rememberSelfCheck } from './todo'

const MAX_PAGES = 500

/** Change ids arrive as strings while records carry their own (often numeric) id: delete under both. */
function keysOf(id: number | string): Array<number | string> {
  const s = String(id)
  return /^\d+$/.test(s) ? [s, Number(s)] : [s]
}

async function applyHazard(change: PullChange): Promise<void> {
  const id = String(change.id)
  const local = await db.hazards.get(id)
  const hasLocalWork = local !== undefined && local._sync !== 'synced'
  if (change.deleted) {
    if (hasLocalWork) await db.hazards.update(id, { _server: null })
    else await db.hazards.delete(id)
    return
  }
  const data = change.data as unknown as Hazard
  if (hasLocalWork) {
    // never overwrite a hazard with unsent local changes; keep the server copy beside it
    await db.hazards.update(id, { _server: data })
    return
  }
  const row: HazardRow = { ...data, _sync: 'synced' }
  await db.hazards.put(row)
}

async function applyNotice(change: PullChange): Promise<void> {
  const id = Number(change.id)
  // a signature still in the outbox keeps the phone's copy until the server has it
  if (await db.outbox.where('entity_id').equals(noticeEntityId(id)).count()) return
  if (change.deleted) await db.notices.delete(id)
  else await db.notices.put(change.data as unknown as Notice)
}

export async function applyChanges(userId: string, changes: PullChange[], cursor: string): Promise<void> {
  await db.transaction('rw', [db.devices, db.hazards, db.enterprises, db.notices, db.outbox, db.meta], async () => {
    for (const change of changes) {
      if (change.entity === 'hazard') {
        await applyHazard(change)
      } else if (change.entity === 'device') {
        if (change.deleted) await db.devices.bulkDelete(keysOf(change.id))
        else await db.devices.put(change.data as unknown as Device)
      } else if (change.entity === 'enterprise') {
        if (change.deleted) await db.enterprises.bulkDelete(keysOf(change.id))
        else await db.enterprises.put(change.data as unknown as Enterprise)
      } else if (change.entity === 'notice') {
        await applyNotice(change)
      } else if (change.entity === 'check') {
        // a check done from any phone completes its mutual-check task in the task list
        const check = change.data as { id: string; assignment_id?: number | string | null } | null
        if (check?.assignment_id != null) await markAssignmentDone(userId, check.assignment_id, check.id)
        // and a self-check done from any phone ticks its device in the to-do
        if (check) await rememberSelfCheck(userId, check as Partial<CheckSubmit>)
      }
    }
    await db.meta.put({ key: cursorKey(userId), value: cursor })
    await db.meta.put({ key: 'data_owner', value: userId })
  })
}

/** Pull until `more` is false. Returns the number of changes applied; `onPage` hears the running total. */
export async function pullAll(userId: string, onPage?: (applied: number) => void): Promise<number> {
  await switchDataOwner(userId)
  let cursor = (await getMeta<string>(cursorKey(userId))) ?? null
  let total = 0
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await pullChanges(cursor)
    await applyChanges(userId, res.changes, res.cursor)
    total += res.changes.length
    onPage?.(total)
    cursor = res.cursor
    if (!res.more) break
  }
  return total
}
