// Device technical file (inspection records) and ledgers in and out (API.md, Ledgers in and out).
import { request, requestRaw } from './http'

export type Conclusion = 'qualified' | 'basically_qualified' | 'unqualified'

export interface InspectionRecord {
  id: number
  device_id: number
  inspected_on: string
  agency: string
  report_no: string
  conclusion: Conclusion
  conclusion_label: string
  next_due: string
  photos: string[]
  report_photos: { sha256: string; url: string; thumbnail_url: string }[]
  status: 'pending' | 'confirmed'
  entered_by: string
  entered_at: string
  confirmed_by: string | null
  confirmed_at: string | null
}

export interface InspectionRecordInput {
  inspected_on: string
  agency: string
  report_no: string
  conclusion: Conclusion
  next_due: string
  photos: string[]
}

export interface ImportResult {
  rows: number
  dry_run: boolean
  created: { enterprises?: number; devices?: number }
}

export interface ImportRowError {
  row: number
  fields: Record<string, string[] | Record<string, string[]>>
}

const seg = (id: number | string) => encodeURIComponent(String(id))

export function fetchInspectionRecords(deviceId: number | string): Promise<InspectionRecord[]> {
  return request<InspectionRecord[]>(`/api/devices/${seg(deviceId)}/inspections`)
}

export function addInspectionRecord(deviceId: number | string, body: InspectionRecordInput): Promise<InspectionRecord> {
  return request<InspectionRecord>(`/api/devices/${seg(deviceId)}/inspections`, { method: 'POST', json: body })
}

export function confirmInspectionRecord(deviceId: number | string, recordId: number): Promise<InspectionRecord> {
  return request<InspectionRecord>(`/api/devices/${seg(deviceId)}/inspections/${recordId}/confirm`, {
    method: 'POST',
    json: {},
  })
}

export async function fetchImportTemplate(): Promise<Blob> {
  return (await requestRaw('/api/devices/import/template.xlsx')).blob()
}

export function importLedger(file: File, dryRun: boolean): Promise<ImportResult> {
  const form = new FormData()
  form.append('file', file, file.name)
  return request<ImportResult>('/api/devices/import', { method: 'POST', body: form, query: { dry_run: dryRun } })
}

export type LedgerKind = 'devices' | 'hazards' | 'checks'

/** The caller's list as a spreadsheet, with the same filters as the JSON list. */
export async function fetchLedgerXlsx(
  kind: LedgerKind,
  query: Record<string, string | number | boolean | null | undefined>,
): Promise<Blob> {
  return (await requestRaw(`/api/${kind}.xlsx`, { query })).blob()
}
