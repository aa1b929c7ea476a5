// Measures a grade sets off (seed 002 第十、十一条): device orders, on-site stationing, the
// serious-violation list, and the public disclosure page (信息公示).
import type { Device, DeviceStatus } from './types'
import type { HistoryEntry } from './users'
import { request } from './http'

export type OrderStatus = 'sealed' | 'stopped'
export const ORDER_STATUSES: readonly DeviceStatus[] = ['sealed', 'stopped']

export interface DeviceOrder {
  id: number
  status: OrderStatus
  notice_id: number
  notice_number: string
  notice_title: string
  ordered_at: string
  reason: string
}

export function fetchDeviceOrder(deviceId: number): Promise<DeviceOrder> {
  return request<DeviceOrder>(`/api/devices/${deviceId}/order`)
}

/** 查封 / 责令停止使用 with the notice that ordered it (regulators only). */
export function orderDevice(deviceId: number, status: OrderStatus, noticeId: number, reason: string): Promise<Device> {
  return request<Device>(`/api/devices/${deviceId}`, {
    method: 'PATCH',
    json: { status, notice_id: noticeId, reason },
  })
}

/** Lift the order: back to in use (or another status) with the regulator's reason. */
export function liftOrder(deviceId: number, reason: string, status: DeviceStatus = 'in_use'): Promise<Device> {
  return request<Device>(`/api/devices/${deviceId}`, { method: 'PATCH', json: { status, reason } })
}

export interface StationingFinding {
  id: number
  found_on: string
  text: string
  recorded_by: string
}

export type StationingStatus = 'planned' | 'active' | 'ended' | 'closed'

export interface Stationing {
  id: number
  enterprise_id: number
  grade: string
  starts_on: string
  ends_on: string
  inspector_ids: number[]
  /** the stationed inspectors' names, in the order of inspector_ids */
  inspectors: Array<{ id: number; name: string }>
  purpose: string
  status: StationingStatus
  closed_on: string | null
  summary: string
  findings: StationingFinding[]
}

export function fetchStationings(enterpriseId: number): Promise<Stationing[]> {
  return request<Stationing[]>(`/api/enterprises/${enterpriseId}/stationings`)
}

export function startStationing(
  enterpriseId: number,
  body: { ends_on: string; purpose: string; starts_on?: string },
): Promise<Stationing> {
  return request<Stationing>(`/api/enterprises/${enterpriseId}/stationings`, { method: 'POST', json: body })
}

export function addFinding(stationingId: number, text: string): Promise<Stationing> {
  return request<Stationing>(`/api/stationings/${stationingId}/findings`, { method: 'POST', json: { text } })
}

/** 结束驻点 with a summary (regulators of the zone); no finding is recorded afterwards. */
export function closeStationing(stationingId: number, summary: string): Promise<Stationing> {
  return request<Stationing>(`/api/stationings/${stationingId}/close`, { method: 'POST', json: { summary } })
}

export interface PublicListing {
  enterprise_name: string
  credit_code: string
  ground: string
  decision_no: string
  listed_on: string
}

/** An entry of the serious-violation list (严重违法失信名单), kept after removal. */
export interface Listing extends PublicListing {
  id: number
  enterprise_id: number
  removed_on: string | null
  removal_reason: string
}

/** The list with removed entries (regulators: the city; a safety manager: its own enterprise). */
export function fetchListings(enterpriseId?: number): Promise<Listing[]> {
  return request<Listing[]>('/api/serious-violations', { query: enterpriseId ? { enterprise_id: enterpriseId } : {} })
}

/** 列入 (the city bureau): the legal ground, the decision number and the date (default today). */
export function listEnterprise(body: {
  enterprise_id: number
  ground: string
  decision_no: string
  listed_on: string
}): Promise<Listing> {
  return request<Listing>('/api/serious-violations', { method: 'POST', json: body })
}

/** 移出 (the city bureau) with the reason and the date; the entry stays with its history. */
export function removeListing(listingId: number, body: { reason: string; removed_on: string }): Promise<Listing> {
  return request<Listing>(`/api/serious-violations/${listingId}/remove`, { method: 'POST', json: body })
}

export function fetchListingHistory(listingId: number): Promise<HistoryEntry[]> {
  return request<HistoryEntry[]>(`/api/serious-violations/${listingId}/history`)
}

export interface Disclosure {
  as_of: string
  devices: {
    registered: number
    by_category: Array<{ category: string; label: string; count: number }>
    in_use: number
    overdue: number
    inspection_rate: number | null
  }
  accidents: {
    accidents_12m: number
    deaths_12m: number
    accidents_per_10k: number | null
    deaths_per_10k: number | null
    accident_target: number
    death_target: number
    accident_within_target: boolean | null
    death_within_target: boolean | null
  }
  hazards: { since: string; found: number; rectified: number; major_found: number; rectification_rate: number | null }
  plans: Array<{
    id: number
    title: string
    period_start: string
    period_end: string
    items: number
    done: number
    findings: number
    execution_rate: number | null
  }>
  serious_violations: PublicListing[]
}

export function fetchDisclosure(): Promise<Disclosure> {
  return request<Disclosure>('/api/public/disclosure', { auth: false })
}
