import type { CheckAssignment, ChecklistTemplate, Page } from './types'
import { request } from './http'

/** The signed-in supervisor's mutual-check tasks (互查任务). */
export function fetchMyTasks(): Promise<Page<CheckAssignment>> {
  return request<Page<CheckAssignment>>('/api/mutual-check-assignments', { query: { mine: 'true', per_page: '100' } })
}

/** Current checklists of one purpose. */
export function fetchTemplates(purpose: ChecklistTemplate['purpose']): Promise<{ items: ChecklistTemplate[] }> {
  return request<{ items: ChecklistTemplate[] }>('/api/checklist-templates', { query: { purpose } })
}
