// The safety manager's self-check to-do (日管控 per device today, 周排查 this week, 月调度 this month). The home
// summary's numbers and the to-do list both come from `selfCheckTodo`, so the count and the list always agree.
import type { OutboxItem } from './db'
import type { CheckSubmit, Device, EnterpriseSelfCheck } from '@/api/types'
import { db, getMeta, setMeta } from './db'

export type Rhythm = 'daily' | 'weekly' | 'monthly'
/** done: the server has it; queued: checked on this phone, waiting to upload; todo: not checked this period */
export type TodoState = 'done' | 'queued' | 'todo'

export interface TodoDevice {
  deviceId: number
  name: string
  category: string
  location: string
  state: TodoState
}

export interface TodoGroup {
  location: string
  items: TodoDevice[]
  done: number
}

export interface RhythmTodo {
  state: TodoState
  lastDone: string | null
  /** finished periods without a check (漏检), as the server last counted them */
  missed: number
}

export interface SelfCheckTodo {
  enterpriseId: number
  daily: { groups: TodoGroup[]; done: number; total: number; missed: number }
  weekly: RhythmTodo
  monthly: RhythmTodo
}

/** A self-check this phone knows of that the cached status may not show yet. */
export interface LocalSelfCheck {
  subkind: Rhythm
  deviceId: number | null
  on: string
  queued: boolean
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

function isoDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** First and last day (inclusive, YYYY-MM-DD) of the day, ISO week (Monday–Sunday) or month containing `today`. */
export function periodOf(rhythm: Rhythm, today: string): { start: string; end: string } {
  if (rhythm === 'daily') return { start: today, end: today }
  const [y, m, d] = today.split('-').map(Number) as [number, number, number]
  if (rhythm === 'monthly') return { start: isoDay(new Date(y, m - 1, 1)), end: isoDay(new Date(y, m, 0)) }
  const day = new Date(y, m - 1, d)
  const fromMonday = (day.getDay() + 6) % 7
  return {
    start: isoDay(new Date(y, m - 1, d - fromMonday)),
    end: isoDay(new Date(y, m - 1, d - fromMonday + 6)),
  }
}

function within(rhythm: Rhythm, on: string | null | undefined, today: string): boolean {
  if (!on) return false
  const { start, end } = periodOf(rhythm, today)
  return start <= on && on <= end
}

function stateOf(
  rhythm: Rhythm,
  lastDone: string | null,
  local: LocalSelfCheck[],
  today: string,
  deviceId: number | null = null,
): TodoState {
  const mine = local.filter(
    c => c.subkind === rhythm && (deviceId === null || c.deviceId === deviceId) && within(rhythm, c.on, today),
  )
  if (within(rhythm, lastDone, today) || mine.some(c => !c.queued)) return 'done'
  return mine.length ? 'queued' : 'todo'
}

function rhythmTodo(
  rhythm: 'weekly' | 'monthly',
  status: EnterpriseSelfCheck,
  local: LocalSelfCheck[],
  today: string,
): RhythmTodo {
  const { last_done: lastDone, missed } = status[rhythm]
  return { state: stateOf(rhythm, lastDone, local, today), lastDone, missed: missed.length }
}

/** Pure: the to-do of one enterprise on `today` from the cached status, the device copy and local checks. */
export function selfCheckTodo(
  status: EnterpriseSelfCheck,
  devices: Map<number, Pick<Device, 'location'>>,
  local: LocalSelfCheck[],
  today: string,
  noLocation = '',
): SelfCheckTodo {
  const groups = new Map<string, TodoGroup>()
  let done = 0
  for (const d of status.daily.devices ?? []) {
    const location = devices.get(Number(d.device_id))?.location?.trim() || noLocation
    const state = stateOf('daily', d.last_done, local, today, Number(d.device_id))
    const group = groups.get(location) ?? { location, items: [], done: 0 }
    group.items.push({ deviceId: Number(d.device_id), name: d.name, category: d.category, location, state })
    if (state !== 'todo') {
      group.done += 1
      done += 1
    }
    groups.set(location, group)
  }
  const sorted = [...groups.values()].sort((a, b) => a.location.localeCompare(b.location, 'zh-CN'))
  for (const g of sorted) g.items.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
  const total = status.daily.devices?.length ?? 0
  return {
    enterpriseId: status.enterprise_id,
    daily: { groups: sorted, done, total, missed: status.daily.missed },
    weekly: rhythmTodo('weekly', status, local, today),
    monthly: rhythmTodo('monthly', status, local, today),
  }
}

/** Devices still to check today: the number on the home screen. */
export function dailyRemaining(todo: SelfCheckTodo): number {
  return todo.daily.total - todo.daily.done
}

function statusKey(userId: string): string {
  return `self-checks:${userId}`
}

function doneKey(userId: string): string {
  return `self-checks-done:${userId}`
}

export function cachedSelfCheckStatus(userId: string): Promise<EnterpriseSelfCheck | undefined> {
  return getMeta<EnterpriseSelfCheck | null>(statusKey(userId)).then(s => s ?? undefined)
}

export async function saveSelfCheckStatus(userId: string, status: EnterpriseSelfCheck | null): Promise<void> {
  await db.transaction('rw', db.meta, async () => {
    await setMeta(statusKey(userId), status)
    // the fresh status covers every check the server held when it answered
    await setMeta(doneKey(userId), [])
  })
}

function asLocal(payload: CheckSubmit, queued: boolean): LocalSelfCheck | null {
  if (payload.kind !== 'self_check') return null
  const subkind = (payload.subkind ?? 'daily') as Rhythm
  return {
    subkind,
    deviceId: payload.device_id != null ? Number(payload.device_id) : null,
    on: payload.performed_on,
    queued,
  }
}

/**
 * The server holds this self-check (its push was applied, or it came in the change feed): remember it until the
 * next status fetch, so the to-do keeps it ticked offline. Call inside a transaction that includes db.meta.
 */
export async function rememberSelfCheck(userId: string, check: Partial<CheckSubmit>): Promise<void> {
  if (check.kind !== 'self_check' || !check.performed_on) return
  const entry = asLocal(check as CheckSubmit, false)
  if (!entry) return
  const known = (await getMeta<LocalSelfCheck[]>(doneKey(userId))) ?? []
  await setMeta(doneKey(userId), [...known.slice(-500), entry])
}

/** Self-checks known on this phone: held by the server since the last status fetch, or still in the outbox. */
export async function localSelfChecks(userId: string): Promise<LocalSelfCheck[]> {
  const [held, outbox] = await Promise.all([
    getMeta<LocalSelfCheck[]>(doneKey(userId)),
    db.outbox.where('user_id').equals(userId).toArray(),
  ])
  const queued = outbox
    .filter((i: OutboxItem) => i.type === 'check.submit' && i.state === 'pending')
    .map(i => asLocal(i.payload as CheckSubmit, true))
    .filter((c): c is LocalSelfCheck => c !== null)
  return [...(held ?? []), ...queued]
}

/** The to-do as the phone knows it now (null before the first status download). */
export async function loadSelfCheckTodo(userId: string, today: string, noLocation = ''): Promise<SelfCheckTodo | null> {
  const status = await cachedSelfCheckStatus(userId)
  if (!status) return null
  const [local, devices] = await Promise.all([
    localSelfChecks(userId),
    db.devices
      .where('enterprise_id')
      .anyOf([status.enterprise_id, String(status.enterprise_id)])
      .toArray(),
  ])
  const byId = new Map(devices.map(d => [Number(d.id), d]))
  return selfCheckTodo(status, byId, local, today, noLocation)
}
