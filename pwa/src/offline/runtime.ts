// Glue between the sync engine and the app: one engine per page, live outbox counts, storage persistence.
import type { SyncStatus } from './sync'
import { liveQuery } from 'dexie'
import { switchDataOwner } from './db'
import { countOutbox } from './outbox'
import { SyncEngine } from './sync'

interface RuntimeHooks {
  getUserId: () => string | null
  onStatus: (status: SyncStatus) => void
  onCounts: (counts: { pending: number; attention: number }) => void
  ownTasksFirst?: (userId: string) => Promise<unknown>
}

let engine: SyncEngine | null = null
let hooks: RuntimeHooks | null = null
let countSub: { unsubscribe: () => void } | null = null

export function watchCounts(): void {
  countSub?.unsubscribe()
  const userId = hooks?.getUserId() ?? null
  if (!userId || !hooks) {
    hooks?.onCounts({ pending: 0, attention: 0 })
    return
  }
  const h = hooks
  countSub = liveQuery(() => countOutbox(userId)).subscribe({ next: c => h.onCounts(c) })
}

export async function requestPersistence(): Promise<boolean> {
  if (!navigator.storage?.persist) return false
  if (await navigator.storage.persisted()) return true
  return navigator.storage.persist()
}

export function startRuntime(h: RuntimeHooks): void {
  if (engine) return
  hooks = h
  engine = new SyncEngine({ getUserId: h.getUserId, onStatus: h.onStatus, ownTasksFirst: h.ownTasksFirst })
  h.onStatus(engine.status)
  watchCounts()
  engine.start()
  void requestPersistence()
}

export function syncNow() {
  return engine!.syncNow()
}

export function resume() {
  watchCounts()
  return engine!.resume()
}

export function pause(): void {
  engine?.pauseForAuth()
}

export function stopForLogout(): void {
  engine?.pauseForAuth()
  countSub?.unsubscribe()
  countSub = null
  hooks?.onCounts({ pending: 0, attention: 0 })
}

/** Another user's synced reference data must not show up under this login. */
export async function prepareForUser(userId: string): Promise<void> {
  await switchDataOwner(userId)
}
