// The signed-in person's own work, fetched ahead of (beside) the first full download so the home shows it at once:
// a safety manager's self-check status (the to-do), a supervisor's mutual-check tasks, an inspector's work queue.
// Each answer is small, scoped to the caller by the server, and kept in Dexie's meta table: the home reads only
// that copy, so it shows the same thing offline and the change feed keeps ticking it off.
import type { Role } from '@/api/types'
import type { WorkQueue } from '@/api/work-queue'
import { fetchSelfCheckStatus } from '@/api/checks'
import { fetchWorkQueue } from '@/api/work-queue'
import { refreshTasks } from './checks'
import { getMeta, setMeta } from './db'
import { saveSelfCheckStatus } from './todo'

export type OwnTaskKind = 'self_check' | 'mutual_check' | 'work_queue'

/** What the home shows of the inspector's queue: the count the server last gave, and when. */
export interface WorkQueueSummary {
  total: number
  counts: WorkQueue['counts']
  fetchedAt: string
}

const KINDS: Partial<Record<Role, OwnTaskKind>> = {
  safety_manager: 'self_check',
  block_supervisor: 'mutual_check',
  inspector: 'work_queue',
  bureau_admin: 'work_queue',
}

export function ownTaskKind(role: Role | null): OwnTaskKind | null {
  return (role && KINDS[role]) ?? null
}

const inflight = new Map<string, Promise<void>>()

/** One request at a time per answer: the sync round and the home asking together share it. */
function once(key: string, run: () => Promise<void>): Promise<void> {
  const running = inflight.get(key)
  if (running) return running
  const next = run().finally(() => inflight.delete(key))
  inflight.set(key, next)
  return next
}

export function refreshSelfCheckStatus(userId: string): Promise<void> {
  return once(`self_check:${userId}`, async () => {
    await saveSelfCheckStatus(userId, (await fetchSelfCheckStatus()).enterprises[0] ?? null)
  })
}

function workQueueKey(userId: string): string {
  return `work-queue:${userId}`
}

export function refreshWorkQueue(userId: string): Promise<void> {
  return once(`work_queue:${userId}`, async () => {
    const queue = await fetchWorkQueue()
    const summary: WorkQueueSummary = { total: queue.total, counts: queue.counts, fetchedAt: new Date().toISOString() }
    await setMeta(workQueueKey(userId), summary)
  })
}

export function cachedWorkQueue(userId: string): Promise<WorkQueueSummary | undefined> {
  return getMeta<WorkQueueSummary>(workQueueKey(userId))
}

export function refreshMutualTasks(userId: string): Promise<void> {
  return once(`mutual_check:${userId}`, async () => {
    await refreshTasks(userId)
  })
}

/** Fetch this person's own tasks into the phone's copy. Never throws: the full download carries on regardless. */
export async function refreshOwnTasks(userId: string, role: Role | null): Promise<OwnTaskKind | null> {
  const kind = ownTaskKind(role)
  const refresh = {
    self_check: refreshSelfCheckStatus,
    mutual_check: refreshMutualTasks,
    work_queue: refreshWorkQueue,
  }
  if (!kind) return null
  await refresh[kind](userId).catch(() => undefined)
  return kind
}
