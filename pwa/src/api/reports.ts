import { request } from './http'

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
