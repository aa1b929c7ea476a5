import type { CheckAssignment, ChecklistTemplate, CheckRecord, Page, SelfCheckOverview } from './types'
import { request } from './http'

/** The signed-in supervisor's mutual-check tasks (互查任务). */
export function fetchMyTasks(): Promise<Page<CheckAssignment>> {
  return request<Page<CheckAssignment>>('/api/mutual-check-assignments', { query: { mine: 'true', per_page: '100' } })
}

/** Current checklists of one purpose (every current checklist without one). */
export function fetchTemplates(purpose?: ChecklistTemplate['purpose']): Promise<{ items: ChecklistTemplate[] }> {
  return request<{ items: ChecklistTemplate[] }>('/api/checklist-templates', purpose ? { query: { purpose } } : {})
}

/** Due and missed self-checks (日管控、周排查、月调度) of the enterprises in scope. */
export function fetchSelfCheckStatus(): Promise<SelfCheckOverview> {
  return request<SelfCheckOverview>('/api/self-checks/status')
}

/** One check as recorded, with its proof of presence and evidence strength. */
export function fetchCheck(id: string): Promise<CheckRecord> {
  return request<CheckRecord>(`/api/checks/${encodeURIComponent(id)}`)
}
