// The device file beyond inspection records: safety accessories, attachments, installation /
// alteration / repair / patrol records, the device's history and a check's printable record.
import type { Device } from './types'
import { request, requestRaw } from './http'

const seg = (id: number | string) => encodeURIComponent(String(id))

export type RecordStatus = 'pending' | 'confirmed'
export type DueState = 'valid' | 'due_soon' | 'overdue' | 'unknown'

export interface AccessoryRecord {
  id: number
  accessory_id: number
  checked_on: string
  agency: string
  report_no: string
  next_due: string
  status: RecordStatus
  entered_by: string
  confirmed_by: string | null
}

export interface Accessory {
  id: number
  kind: string
  kind_label: string
  model: string
  serial_no: string
  last_checked_on: string | null
  next_due: string | null
  state: DueState
  records: AccessoryRecord[]
}

export interface AccessoryRecordInput {
  checked_on: string
  agency: string
  report_no: string
  next_due: string
}

export interface AccessoryInput {
  kind: string
  model: string
  serial_no: string
  record: AccessoryRecordInput | null
}

export interface Attachment {
  id: number
  sha256: string
  kind: string
  kind_label: string
  title: string
  media_type: string
  size: number
  uploaded_by: string
  uploaded_at: string
  url: string
}

export interface WorkRecord {
  id: number
  kind: string
  kind_label: string
  done_on: string
  unit: string
  description: string
  entered_by: string
}

export interface WorkRecordInput {
  kind: string
  done_on: string
  unit: string
  description: string
}

export interface HistoryEntry {
  at: string
  actor: string
  field: string
  before: unknown
  after: unknown
  reason: string
}

export interface DeviceCheck {
  id: string
  kind: string
  subkind: string
  performed_on: string
  performed_by: string
  result: 'pass' | 'fail'
  template_title: string
}

export const ACCESSORY_KINDS = [
  'safety_valve',
  'pressure_gauge',
  'bursting_disc',
  'overspeed_governor',
  'level_gauge',
  'thermometer',
  'emergency_shutoff',
  'other',
]
export const ATTACHMENT_KINDS = [
  'certificate',
  'nameplate',
  'inspection_report',
  'registration',
  'maintenance',
  'other',
]
export const WORK_KINDS = ['installation', 'alteration', 'repair', 'patrol']

export function fetchAccessories(deviceId: number | string): Promise<Accessory[]> {
  return request<Accessory[]>(`/api/devices/${seg(deviceId)}/accessories`)
}

export function addAccessory(deviceId: number | string, body: AccessoryInput): Promise<Accessory> {
  return request<Accessory>(`/api/devices/${seg(deviceId)}/accessories`, { method: 'POST', json: body })
}

export function addAccessoryRecord(
  deviceId: number | string,
  accessoryId: number,
  body: AccessoryRecordInput,
): Promise<AccessoryRecord> {
  return request<AccessoryRecord>(`/api/devices/${seg(deviceId)}/accessories/${accessoryId}/records`, {
    method: 'POST',
    json: body,
  })
}

export function confirmAccessoryRecord(deviceId: number | string, recordId: number): Promise<AccessoryRecord> {
  return request<AccessoryRecord>(`/api/devices/${seg(deviceId)}/accessory-records/${recordId}/confirm`, {
    method: 'POST',
    json: {},
  })
}

export function fetchAttachments(deviceId: number | string): Promise<Attachment[]> {
  return request<Attachment[]>(`/api/devices/${seg(deviceId)}/attachments`)
}

export function uploadAttachment(
  deviceId: number | string,
  file: File,
  kind: string,
  title: string,
): Promise<Attachment> {
  const form = new FormData()
  form.append('kind', kind)
  form.append('title', title)
  form.append('file', file, file.name)
  return request<Attachment>(`/api/devices/${seg(deviceId)}/attachments`, { method: 'POST', body: form })
}

export async function fetchAttachmentFile(attachment: Attachment): Promise<Blob> {
  return (await requestRaw(attachment.url)).blob()
}

export function fetchWorkRecords(deviceId: number | string): Promise<WorkRecord[]> {
  return request<WorkRecord[]>(`/api/devices/${seg(deviceId)}/work-records`)
}

export function addWorkRecord(deviceId: number | string, body: WorkRecordInput): Promise<WorkRecord> {
  return request<WorkRecord>(`/api/devices/${seg(deviceId)}/work-records`, { method: 'POST', json: body })
}

export function fetchDeviceHistory(deviceId: number | string): Promise<HistoryEntry[]> {
  return request<HistoryEntry[]>(`/api/devices/${seg(deviceId)}/history`)
}

export async function fetchDeviceChecks(deviceId: number | string): Promise<DeviceCheck[]> {
  const page = await request<{ items: DeviceCheck[] }>('/api/checks', { query: { device_id: deviceId, per_page: 20 } })
  return page.items
}

export async function fetchCheckPdf(checkId: string): Promise<Blob> {
  return (await requestRaw(`/api/checks/${seg(checkId)}.pdf`)).blob()
}

export interface DeviceInput {
  enterprise_id?: number | null
  category?: string
  registration_no?: string
  device_code?: string
  name?: string
  location?: string
  emergency_phone?: string
  installed_on?: string | null
  status?: string
  key_monitored?: boolean
  reason?: string
}

export function createDevice(body: DeviceInput): Promise<Device> {
  return request<Device>('/api/devices', { method: 'POST', json: body })
}

export function updateDevice(id: number | string, body: DeviceInput): Promise<Device> {
  return request<Device>(`/api/devices/${seg(id)}`, { method: 'PATCH', json: body })
}
