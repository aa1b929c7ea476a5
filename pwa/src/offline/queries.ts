// Read-side helpers over the local Dexie copy (the app reads locally, online or not).
import type { HazardRow } from './db'
import type { Device, DeviceCategory, DeviceStatus } from '@/api/types'
import { OPEN_HAZARD_STATUSES } from '@/constants/labels'
import { db } from './db'

export interface DeviceFilter {
  q?: string
  category?: DeviceCategory | ''
  status?: DeviceStatus | ''
  overdue?: boolean
  keyMonitored?: boolean
  /** elevators 15 years or more in service (老旧电梯; the server decides `old_elevator`) */
  oldElevator?: boolean
  /** one enterprise's devices (the enterprise page's link) */
  enterprise?: string
}

function matches(d: Device, f: DeviceFilter): boolean {
  if (f.category && d.category !== f.category) return false
  if (f.status && d.status !== f.status) return false
  // 超期未检: the device's periodic inspection or one of its safety accessories (as the server counts)
  if (f.overdue && d.inspection_state !== 'overdue' && d.accessory_state !== 'overdue') return false
  if (f.oldElevator && !d.old_elevator) return false
  if (f.keyMonitored && !d.key_monitored) return false
  if (f.enterprise && String(d.enterprise_id) !== f.enterprise) return false
  const q = f.q?.trim().toLowerCase()
  if (q) {
    // the category's Chinese name too, so 电梯 finds the elevators as the server search does
    const hay = [d.name, d.registration_no, d.device_code, d.location, d.enterprise_name, d.category_label ?? '']
      .join(' ')
      .toLowerCase()
    if (!hay.includes(q)) return false
  }
  return true
}

export async function queryDevices(
  filter: DeviceFilter,
  page: number,
  perPage: number,
): Promise<{ items: Device[]; total: number }> {
  const all = await db.devices.filter(d => matches(d, filter)).toArray()
  all.sort(
    (a, b) =>
      Number(b.inspection_state === 'overdue') - Number(a.inspection_state === 'overdue') ||
      a.name.localeCompare(b.name, 'zh-CN'),
  )
  return { items: all.slice(0, page * perPage), total: all.length }
}

/** The device of a label token: its default label, or a label at one of its positions (机房 / 轿顶 / 轿厢). */
export async function deviceByQrToken(token: string): Promise<Device | undefined> {
  return (
    (await db.devices.where('qr_token').equals(token).first()) ??
    db.devices.filter(d => (d.position_labels ?? []).some(label => label.token === token)).first()
  )
}

/** Manual entry: a QR token, device code or registration number. */
export async function findDeviceByCode(code: string): Promise<Device | undefined> {
  const c = code.trim()
  if (!c) return undefined
  return (
    (await db.devices.where('qr_token').equals(c).first()) ??
    (await db.devices.where('device_code').equals(c).first()) ??
    (await db.devices.where('registration_no').equals(c).first()) ??
    db.devices
      .filter(
        d => d.device_code?.toLowerCase() === c.toLowerCase() || d.registration_no?.toLowerCase() === c.toLowerCase(),
      )
      .first()
  )
}

export async function getDevice(id: string): Promise<Device | undefined> {
  return (await db.devices.get(id)) ?? (/^\d+$/.test(id) ? db.devices.get(Number(id)) : undefined)
}

function byUpdatedDesc(a: HazardRow, b: HazardRow): number {
  return b.updated_at.localeCompare(a.updated_at)
}

export async function hazardsForDevice(deviceId: string | number): Promise<HazardRow[]> {
  const rows = await db.hazards.filter(h => String(h.device_id) === String(deviceId)).toArray()
  return rows.filter(h => OPEN_HAZARD_STATUSES.includes(h.status) || h._sync !== 'synced').sort(byUpdatedDesc)
}

/** Created on this phone and not yet acknowledged by the server: not "reported" (已上报) until it is. */
export function notOnServerYet(h: HazardRow): boolean {
  return h._sync !== 'synced' && h._server === null
}

export type HazardFilter = 'open' | 'overdue' | 'awaiting' | 'all'

export function isOverdue(h: HazardRow): boolean {
  return h.is_overdue && h.status !== 'verified_closed'
}

export async function queryHazards(filter: HazardFilter): Promise<HazardRow[]> {
  const rows = await db.hazards.toArray()
  const pick = rows.filter(h => {
    if (filter === 'open') return OPEN_HAZARD_STATUSES.includes(h.status)
    if (filter === 'overdue') return isOverdue(h)
    if (filter === 'awaiting') return h.status === 'rectification_submitted'
    return true
  })
  return pick.sort(byUpdatedDesc)
}

export interface HomeCounts {
  open: number
  overdue: number
  awaiting: number
  overdueDevices: number
  devices: number
}

export async function homeCounts(): Promise<HomeCounts> {
  const [hazards, devices] = await Promise.all([db.hazards.toArray(), db.devices.toArray()])
  return {
    open: hazards.filter(h => OPEN_HAZARD_STATUSES.includes(h.status)).length,
    overdue: hazards.filter(isOverdue).length,
    awaiting: hazards.filter(h => h.status === 'rectification_submitted').length,
    overdueDevices: devices.filter(d => d.inspection_state === 'overdue').length,
    devices: devices.length,
  }
}
