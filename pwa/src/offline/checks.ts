// Mutual-check tasks and checklists cached per user (so the forms open offline), and the check.submit op.
import type { OutboxItem } from './db'
import type { CheckAssignment, ChecklistTemplate, CheckSubmit } from '@/api/types'
import { fetchMyTasks, fetchTemplates } from '@/api/checks'
import { db, getMeta, setMeta } from './db'
import { rememberSelfCheck } from './todo'
import { newUuid } from './uuid'

export interface CheckCache {
  tasks: CheckAssignment[]
  template: ChecklistTemplate | null
  fetchedAt: string | null
}

function cacheKey(userId: string): string {
  return `checks:${userId}`
}

export async function cachedChecks(userId: string): Promise<CheckCache> {
  return (await getMeta<CheckCache>(cacheKey(userId))) ?? { tasks: [], template: null, fetchedAt: null }
}

/**
 * A task never goes from done back to to-do (checks are immutable): keep what this phone already knows is done, so
 * a task list fetched while the check was still on its way up does not undo the push result or the change feed.
 */
function keepDone(fresh: CheckAssignment[], known: CheckAssignment[]): CheckAssignment[] {
  const done = new Map(known.filter(a => a.done).map(a => [a.id, a.check_id]))
  return fresh.map(a =>
    a.done || !done.has(a.id) ? a : { ...a, done: true, check_id: a.check_id ?? done.get(a.id) ?? null },
  )
}

async function saveTasks(
  userId: string,
  tasks: CheckAssignment[],
  template?: ChecklistTemplate | null,
): Promise<CheckCache> {
  return db.transaction('rw', db.meta, async () => {
    const known = await cachedChecks(userId)
    const cache: CheckCache = {
      tasks: keepDone(tasks, known.tasks),
      template: template === undefined ? known.template : template,
      fetchedAt: new Date().toISOString(),
    }
    await setMeta(cacheKey(userId), cache)
    return cache
  })
}

/** Refresh tasks and the enterprise checklist from the server; keeps the old copy when offline. */
export async function refreshChecks(userId: string): Promise<CheckCache> {
  const [tasks, templates] = await Promise.all([fetchMyTasks(), fetchTemplates('enterprise')])
  return saveTasks(userId, tasks.items, templates.items[0] ?? null)
}

/** Refresh only the task list (one small answer, fetched first after sign-in); the cached checklist stays. */
export async function refreshTasks(userId: string): Promise<CheckCache> {
  return saveTasks(userId, (await fetchMyTasks()).items)
}

/**
 * The server has the check of this assignment (its push was applied, or it came in the change feed): the cached
 * task is done. Call inside a transaction that includes db.meta.
 */
export async function markAssignmentDone(
  userId: string,
  assignmentId: number | string,
  checkId: string,
): Promise<void> {
  const cache = await getMeta<CheckCache>(cacheKey(userId))
  const task = cache?.tasks.find(a => String(a.id) === String(assignmentId))
  if (!cache || !task || task.done) return
  const tasks = cache.tasks.map(a => (a === task ? { ...a, done: true, check_id: a.check_id ?? checkId } : a))
  await setMeta(cacheKey(userId), { ...cache, tasks })
}

/** After a push result: a check.submit the server holds (applied or duplicate) completes its task or self-check. */
export async function applyCheckResult(item: OutboxItem, held: boolean): Promise<void> {
  if (item.type !== 'check.submit' || !held) return
  const payload = item.payload as CheckSubmit
  if (payload.assignment_id != null) await markAssignmentDone(item.user_id, payload.assignment_id, payload.id)
  await rememberSelfCheck(item.user_id, payload)
}

function templatesKey(userId: string): string {
  return `check-templates:${userId}`
}

/** Every current checklist (daily per device category, weekly, monthly, enterprise) as last pulled. */
export async function cachedTemplates(userId: string): Promise<ChecklistTemplate[]> {
  return (await getMeta<ChecklistTemplate[]>(templatesKey(userId))) ?? []
}

let refreshing: Promise<ChecklistTemplate[]> | null = null

/** Pull the current checklists while online so the self-check and inspection forms open offline later. */
export function refreshTemplates(userId: string): Promise<ChecklistTemplate[]> {
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return cachedTemplates(userId)
  refreshing ??= fetchTemplates()
    .then(async res => {
      await setMeta(templatesKey(userId), res.items)
      return res.items
    })
    .catch(() => cachedTemplates(userId))
    .finally(() => {
      refreshing = null
    })
  return refreshing
}

/** The checklist a check of this kind uses (self-checks by rhythm; the rest the enterprise checklist). */
export function templateFor(
  templates: ChecklistTemplate[],
  kind: CheckSubmit['kind'],
  subkind: string,
  deviceCategory?: string | null,
): ChecklistTemplate | null {
  const purpose: ChecklistTemplate['purpose'] =
    kind !== 'self_check'
      ? 'enterprise'
      : subkind === 'weekly'
        ? 'weekly_investigation'
        : subkind === 'monthly'
          ? 'monthly_dispatch'
          : 'daily_device'
  return (
    templates.find(
      tp => tp.purpose === purpose && (purpose !== 'daily_device' || tp.device_category === deviceCategory),
    ) ?? null
  )
}

/** Assignment ids with a check still in this user's outbox (waiting to upload, or refused and needing attention). */
export async function queuedAssignments(userId: string): Promise<Map<number, OutboxItem['state']>> {
  const items = await db.outbox.where('user_id').equals(userId).toArray()
  const queued = new Map<number, OutboxItem['state']>()
  for (const item of items.filter(i => i.type === 'check.submit')) {
    const id = (item.payload as CheckSubmit).assignment_id
    if (id != null && queued.get(id) !== 'attention') queued.set(id, item.state)
  }
  return queued
}

export type TaskState = 'done' | 'queued' | 'attention' | 'todo'

/** What the task list shows: done on the server, checked but still on this phone (or refused there), or to do. */
export function taskState(task: CheckAssignment, queued: Map<number, OutboxItem['state']> | undefined): TaskState {
  if (task.done) return 'done'
  const state = queued?.get(task.id)
  if (state === 'attention') return 'attention'
  return state === 'pending' ? 'queued' : 'todo'
}

/** Queue a filled checklist; its photos go up first, then the op (idempotent by the check's id). */
export async function enqueueCheckSubmit(userId: string, payload: CheckSubmit): Promise<OutboxItem> {
  const at = new Date().toISOString()
  const item: OutboxItem = {
    op_id: newUuid(),
    user_id: userId,
    type: 'check.submit',
    payload,
    entity_id: payload.id,
    // the drawn signature goes up like a photo, before the op that cites it
    photos: [...new Set([...payload.items.flatMap(i => i.photos), ...(payload.signature ? [payload.signature] : [])])],
    state: 'pending',
    attempts: 0,
    error: null,
    created_at: at,
    updated_at: at,
  }
  item.seq = await db.outbox.add(item)
  return item
}
