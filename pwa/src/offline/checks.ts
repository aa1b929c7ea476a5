// Mutual-check tasks and checklists cached per user (so the forms open offline), and the check.submit op.
import type { OutboxItem } from './db'
import type { CheckAssignment, ChecklistTemplate, CheckSubmit } from '@/api/types'
import { fetchMyTasks, fetchTemplates } from '@/api/checks'
import { db, getMeta, setMeta } from './db'
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

/** Refresh tasks and the enterprise checklist from the server; keeps the old copy when offline. */
export async function refreshChecks(userId: string): Promise<CheckCache> {
  const [tasks, templates] = await Promise.all([fetchMyTasks(), fetchTemplates('enterprise')])
  const cache: CheckCache = { tasks: tasks.items, template: templates.items[0] ?? null, fetchedAt: new Date().toISOString() }
  await setMeta(cacheKey(userId), cache)
  return cache
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
    .then(async (res) => {
      await setMeta(templatesKey(userId), res.items)
      return res.items
    })
    .catch(() => cachedTemplates(userId))
    .finally(() => { refreshing = null })
  return refreshing
}

/** The checklist a check of this kind uses (self-checks by rhythm; the rest the enterprise checklist). */
export function templateFor(
  templates: ChecklistTemplate[],
  kind: CheckSubmit['kind'],
  subkind: string,
  deviceCategory?: string | null,
): ChecklistTemplate | null {
  const purpose: ChecklistTemplate['purpose'] = kind !== 'self_check'
    ? 'enterprise'
    : subkind === 'weekly' ? 'weekly_investigation' : subkind === 'monthly' ? 'monthly_dispatch' : 'daily_device'
  return templates.find(tp => tp.purpose === purpose && (purpose !== 'daily_device' || tp.device_category === deviceCategory)) ?? null
}

/** Assignment ids with a check still waiting in this user's outbox. */
export async function queuedAssignments(userId: string): Promise<Set<number>> {
  const items = await db.outbox.where('user_id').equals(userId).toArray()
  return new Set(items.filter(i => i.type === 'check.submit').map(i => (i.payload as CheckSubmit).assignment_id ?? -1))
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
    photos: [...new Set(payload.items.flatMap(i => i.photos))],
    state: 'pending',
    attempts: 0,
    error: null,
    created_at: at,
    updated_at: at,
  }
  item.seq = await db.outbox.add(item)
  return item
}
