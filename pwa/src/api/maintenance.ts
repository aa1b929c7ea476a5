// Elevator maintenance (维保, API.md "Elevator maintenance"): work orders, on-site records, the using unit's answer.
import type { Page } from './types'
import { request } from './http'

export type MaintenanceKind = 'half_month' | 'quarter' | 'half_year' | 'year' | 'urgent'
export type OrderStatus = 'open' | 'overdue' | 'done' | 'cancelled'
export type RecordStatus = 'awaiting_confirmation' | 'confirmed' | 'disputed'
export type ItemResult = 'ok' | 'adjusted' | 'failed' | 'not_applicable'

export interface ChecklistItem {
  code: string
  text: string
  /** a live photo is part of the proof for this item */
  photo: boolean
}

export interface DeviceBrief {
  id: number
  registration_no: string
  name: string
  location: string
  enterprise_name: string
}

/** 困人救援 as the server grades it: minutes from the report to arrival (first scan) and to release, against the limit */
export interface Rescue {
  arrival_minutes: number
  release_minutes: number | null
  late: boolean
}

export interface MaintenanceOrder {
  id: number
  device_id: number
  device: DeviceBrief
  company: string
  enterprise_id: number
  kind: MaintenanceKind
  kind_label: string
  due_on: string
  status: OrderStatus
  overdue: boolean
  items: ChecklistItem[]
  trapped: boolean
  description: string
  reported_at: string | null
  rescue_limit_minutes: number | null
  rescue: Rescue | null
  record_id: number | null
  record_status: RecordStatus | null
  /** sha256 of each of the device's label tokens: the phone refuses another device's label offline */
  label_hashes?: string[]
}

export interface RecordedItem {
  code: string
  text: string
  result: ItemResult
  note: string
  photos: string[]
  photo_urls: string[]
}

export interface MaintenanceRecord {
  id: number
  order_id: number
  device_id: number
  device: DeviceBrief
  company: string
  enterprise_id: number
  kind: MaintenanceKind
  kind_label: string
  worker: string
  items: RecordedItem[]
  photo_urls: string[]
  signature_url: string
  first_scan_at: string
  last_scan_at: string
  on_site_minutes: number
  released_at: string | null
  /** the urgent order's 困人: when it was reported, the limit, and the rescue's figures once recorded */
  trapped: boolean
  reported_at: string | null
  rescue_limit_minutes: number | null
  rescue: Rescue | null
  short_visit: boolean
  evidence_strength: number
  /** the operator certificate (电梯作业人员证) the record was accepted on, null on older records */
  certificate_number: string | null
  certificate_holder: string | null
  submitted_at: string
  status: RecordStatus
  answered_at: string | null
  dispute_reason: string
}

/** One page of the caller's open work orders (a company's people: their company's), soonest due first. */
export function fetchMyOrders(page = 1): Promise<Page<MaintenanceOrder>> {
  return request<Page<MaintenanceOrder>>('/api/maintenance/orders', { query: { mine: true, page, per_page: 100 } })
}

export function fetchOrder(id: number): Promise<MaintenanceOrder> {
  return request<MaintenanceOrder>(`/api/maintenance/orders/${id}`)
}

export function fetchRecords(
  query: { status?: RecordStatus; page?: number; per_page?: number } = {},
): Promise<Page<MaintenanceRecord>> {
  return request<Page<MaintenanceRecord>>('/api/maintenance/records', { query: { per_page: 50, ...query } })
}

export function fetchRecord(id: number): Promise<MaintenanceRecord> {
  return request<MaintenanceRecord>(`/api/maintenance/records/${id}`)
}

export function confirmRecord(id: number): Promise<MaintenanceRecord> {
  return request<MaintenanceRecord>(`/api/maintenance/records/${id}/confirm`, { method: 'POST', json: {} })
}

export function disputeRecord(id: number, reason: string): Promise<MaintenanceRecord> {
  return request<MaintenanceRecord>(`/api/maintenance/records/${id}/dispute`, { method: 'POST', json: { reason } })
}

/** The signed-in worker's 电梯作业人员证 as the server counts it: records are refused unless `certified`. */
export interface WorkerCertificate {
  certified: boolean
  /** why records would be refused (null when certified) */
  reason: 'missing' | 'left' | 'pending' | 'rejected' | 'not_yet_valid' | 'expired' | null
  number: string | null
  expires_on: string | null
  verification: 'pending' | 'verified' | 'rejected' | null
}

export function fetchMyCertificate(): Promise<WorkerCertificate> {
  return request<WorkerCertificate>('/api/maintenance/me/certificate')
}

/** 困人/故障报修 by the using unit: opens an urgent order for the contracted company. */
export function reportFault(body: {
  device_id: number
  trapped: boolean
  description: string
}): Promise<MaintenanceOrder> {
  return request<MaintenanceOrder>('/api/maintenance/faults', { method: 'POST', json: body })
}

/** One maintenance company in the bureau's quality ranking (电梯维护保养单位质量评价), best first. */
export interface CompanyRank {
  rank: number
  company_id: number
  company: string
  score: number
  grade: string
  on_time_rate: number
  dispute_rate: number
  entrapments_per_100: number
  faults_per_100: number
  complaints_per_100: number
}

export function fetchCompanyRanking(): Promise<CompanyRank[]> {
  return request<CompanyRank[]>('/api/maintenance/companies/ranking')
}

/** A maintenance contract (维保合同): which company maintains an elevator, from when to when. */
export interface MaintenanceContract {
  id: number
  device_id: number
  device: DeviceBrief
  company_id: number
  company: string
  starts_on: string
  ends_on: string
  state: 'not_started' | 'active' | 'ended'
}

export function fetchContracts(
  query: { device_id?: number; page?: number; per_page?: number } = {},
): Promise<Page<MaintenanceContract>> {
  return request<Page<MaintenanceContract>>('/api/maintenance/contracts', { query: { per_page: 50, ...query } })
}

/** Recorded by the using unit's safety manager or a regulator (never by the company itself). */
export function createContract(body: {
  device_id: number
  company_id: number
  starts_on: string
  ends_on: string
}): Promise<MaintenanceContract> {
  return request<MaintenanceContract>('/api/maintenance/contracts', { method: 'POST', json: body })
}

/** End a contract early (today unless a day is given): the company's later periodic orders are cancelled. */
export function endContract(id: number, endsOn?: string): Promise<MaintenanceContract> {
  return request<MaintenanceContract>(`/api/maintenance/contracts/${id}/end`, {
    method: 'POST',
    json: endsOn ? { ends_on: endsOn } : {},
  })
}

export function fetchCompanies(): Promise<Array<{ id: number; name: string }>> {
  return request<Array<{ id: number; name: string }>>('/api/maintenance/companies')
}

/** Work orders of one device (open ones only with `open`). */
export function fetchDeviceOrders(deviceId: number, open = false): Promise<Page<MaintenanceOrder>> {
  return request<Page<MaintenanceOrder>>('/api/maintenance/orders', {
    query: { device_id: deviceId, mine: open, per_page: 20 },
  })
}

export function fetchDeviceRecords(deviceId: number, perPage = 5): Promise<Page<MaintenanceRecord>> {
  return request<Page<MaintenanceRecord>>('/api/maintenance/records', {
    query: { device_id: deviceId, per_page: perPage },
  })
}
