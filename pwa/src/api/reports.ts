import { filenameFromDisposition } from '@/utils/content-disposition'
import { request, requestRaw } from './http'

/** Figures of `GET /api/reports/dashboard` (zone of an inspector, city or one zone for the bureau). */
export interface Dashboard {
  zone_id: number | null
  zone_name: string
  start: string
  end: string
  devices: { by_category: Record<string, Record<string, number>>; registered: number; overdue_inspections: number }
  hazards: {
    found: number
    closed: number
    open: number
    overdue: number
    major_found: number
    rectification_rate: number | null
  }
  complaints: { received: number; substantiated: number; pending: number }
  grades: Record<'A' | 'B' | 'C' | 'D', number>
  mutual_checks: {
    tasks: number
    done: number
    completion_rate: number | null
    by_block: Array<{
      block_id: number
      block_name: string
      tasks: number
      done: number
      completion_rate: number | null
    }>
  }
  accidents: {
    accidents_12m: number
    deaths_12m: number
    accidents_per_10k: number | null
    deaths_per_10k: number | null
    accident_target: number
    death_target: number
  }
}

/** Dashboard figures for the signed-in regulator. */
export function fetchDashboard(zoneId?: number): Promise<Dashboard> {
  return request<Dashboard>('/api/reports/dashboard', { query: zoneId ? { zone_id: zoneId } : undefined })
}

type Rate = number | null

export interface MonthlySubmission {
  id: number
  zone_id: number
  month: string
  summary: string
  problems: string
  next_steps: string
  submitted_by_name: string
  submitted_at: string
  submitted_on: string
  late: boolean
  content_hash: string
  evidence_seq: number
}

/** `GET /api/reports/monthly`: the month's figures, frozen (with the narrative) once the zone submitted. */
export interface MonthlyReport extends Dashboard {
  month: string
  as_of: string
  due_on: string
  frozen: boolean
  submission: MonthlySubmission | null
  chain_head: { seq: number; hash: string }
  devices: Dashboard['devices'] & { long_idle?: number }
  hazards: Dashboard['hazards'] & {
    by_source?: Record<string, { found: number; closed: number; rectification_rate: Rate }>
    major?: { found: number; closed: number; rectification_rate: Rate }
  }
  self_checks?: Record<'daily' | 'weekly' | 'monthly', { expected: number; done: number; rate: Rate }>
  plans?: { items: number; done: number; execution_rate: Rate }
  notices?: { issued: number; by_kind: Record<string, number> }
  key_devices?: {
    devices: number
    registered: number
    registration_rate: Rate
    inspected: number
    inspection_rate: Rate
    operators: number
    operators_certified: number
    certification_rate: Rate
    target: number
  }
}

export interface MonthlyNarrative {
  summary: string
  problems: string
  next_steps: string
}

export interface ZoneSubmission {
  zone_id: number
  zone_name: string
  submitted: boolean
  overdue: boolean
  submission: MonthlySubmission | null
}

export interface MonthlySubmissions {
  month: string
  due_on: string
  submitted: number
  missing: number
  late: number
  zones: ZoneSubmission[]
}

function monthQuery(month: string, zoneId?: number): Record<string, string | number> {
  return zoneId ? { month, zone_id: zoneId } : { month }
}

export function fetchMonthlyReport(month: string, zoneId?: number): Promise<MonthlyReport> {
  return request<MonthlyReport>('/api/reports/monthly', { query: monthQuery(month, zoneId) })
}

/** The zone inspector submits the month: its figures are frozen (409 when already submitted). */
export function submitMonthlyReport(
  month: string,
  zoneId: number,
  narrative: MonthlyNarrative,
): Promise<MonthlyReport> {
  return request<MonthlyReport>('/api/reports/monthly/submit', {
    method: 'POST',
    json: { month, zone_id: zoneId, ...narrative },
  })
}

export function fetchMonthlySubmissions(month: string): Promise<MonthlySubmissions> {
  return request<MonthlySubmissions>('/api/reports/monthly/submissions', { query: { month } })
}

/** The report as a file, named as the server names it (Content-Disposition). */
export async function fetchMonthlyFile(
  month: string,
  ext: 'pdf' | 'xlsx',
  zoneId?: number,
): Promise<{ blob: Blob; filename: string }> {
  const res = await requestRaw(`/api/reports/monthly.${ext}`, { query: monthQuery(month, zoneId) })
  const filename = filenameFromDisposition(res.headers.get('Content-Disposition'), `monthly-${month}.${ext}`)
  return { blob: await res.blob(), filename }
}
