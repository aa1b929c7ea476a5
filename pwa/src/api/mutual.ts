// Mutual-check rounds (互查轮次) and the supervisor pool (监督员库) for regulators: online only, nothing here
// goes through the outbox.
import type { Page } from './types'
import { request } from './http'

export interface RoundBrief {
  id: number
  zone_id: number
  name: string
  starts_on: string
  due_on: string
  total: number
  done: number
  /** done by the due date (a late check is still accepted, counted apart) */
  done_on_time: number
}

export interface RoundAssignment {
  id: number
  cycle_id: number
  cycle_name: string
  due_on: string
  block_id: number
  enterprise_id: number
  enterprise_name: string
  supervisor_id: number | null
  supervisor_name: string | null
  supervisor_enterprise_id: number | null
  check_id: string | null
  done: boolean
  /** done after the round's due date (逾期完成) */
  late: boolean
}

export interface Round {
  id: number
  zone_id: number
  name: string
  starts_on: string
  due_on: string
  seed: number
  assignments: RoundAssignment[]
  unassigned: number[]
  created_at: string
}

export interface RoundCreate {
  name: string
  starts_on: string
  due_on: string
  zone_id?: number
}

export interface PoolEntry {
  user_id: number
  display_name: string
  enterprise_id: number | null
  enterprise_name: string | null
  block_id: number | null
  block_name: string | null
  person_id: number | null
  certificate: { number: string; issued_on: string | null; expires_on: string | null } | null
  exams: { exam_on: string; trained_on: string | null; score: number; passed: boolean }[]
  eligible: boolean
}

export interface ExamCreate {
  person_id: number
  exam_on: string
  trained_on?: string | null
  score: number
  passed: boolean
  certificate_number?: string
  issued_on?: string | null
  expires_on?: string | null
}

export interface ZoneBrief {
  id: number
  name: string
}

export function listRounds(page = 1, perPage = 20): Promise<Page<RoundBrief>> {
  return request<Page<RoundBrief>>('/api/mutual-check-cycles', { query: { page, per_page: perPage } })
}

export function fetchRound(id: number | string): Promise<Round> {
  return request<Round>(`/api/mutual-check-cycles/${encodeURIComponent(String(id))}`)
}

export function openRound(body: RoundCreate): Promise<Round> {
  return request<Round>('/api/mutual-check-cycles', { method: 'POST', json: body })
}

export function reassignSupervisor(assignmentId: number, supervisorId: number): Promise<RoundAssignment> {
  return request<RoundAssignment>(`/api/mutual-check-assignments/${assignmentId}/supervisor`, {
    method: 'PUT',
    json: { supervisor_id: supervisorId },
  })
}

export async function fetchPool(asOf?: string): Promise<PoolEntry[]> {
  return (await request<{ items: PoolEntry[] }>('/api/supervisors', { query: { as_of: asOf } })).items
}

export function recordExam(body: ExamCreate): Promise<unknown> {
  return request('/api/supervisor-exams', { method: 'POST', json: body })
}

export async function listZones(): Promise<ZoneBrief[]> {
  return (await request<Page<ZoneBrief>>('/api/zones', { query: { per_page: 100 } })).items
}
