// Typed calls of the credit grading API (信用风险分级, backend/credit/api.py) for the credit screens.
import type { Page } from './types'
import type { HistoryEntry } from './users'
import { request } from './http'

export type Grade = 'A' | 'B' | 'C' | 'D'
export const GRADES: Grade[] = ['A', 'B', 'C', 'D']

export interface Reason {
  code: string
  /** the server's Chinese label (fallback when the PWA has no translation) */
  label: string
}

export interface GradeSummary {
  enterprise_id: number
  enterprise_name: string
  zone_id: number
  grade: Grade
  score: number
  as_of: string
  reasons: Reason[]
}

export interface Indicator {
  indicator: string
  /** count, flag (0/1) or share in per mille */
  value: number
  points: number
}

export interface Group {
  group: string
  label: string
  points: number
  weight: number
  indicators: Indicator[]
}

export interface Repair {
  indicator: string
  group: string
  /** what the indicator adds before its group's cap */
  points: number
  fix: string
  /** points the score really drops once fixed (group caps and every rule included) */
  gain: number
  score_after: number
  grade_after: Grade
  /** set for records that count this many years whatever is done: the gain comes then */
  counts_for_years: number | null
}

export interface GradeChange {
  from_grade: Grade | null
  to_grade: Grade
  score: number
  changed_on: string
  cause: string
  reasons: Reason[]
}

export interface EnterpriseCredit extends GradeSummary {
  band_grade: Grade
  previous_grade: Grade | null
  bands: number[]
  groups: Group[]
  repair: Repair[]
  history: GradeChange[]
}

/** A full recompute (评级周期): every grade holds as of its day (a type, so it passes as i18n values). */
export type CreditCycle = {
  as_of: string
  graded: number
  written: number
  changed: number
  recorded_at: string
}

export type GradeCounts = Record<Grade, number> & { total: number; latest_cycle: CreditCycle | null }

export interface CreditConfig {
  weights: Record<string, number>
  points: Record<string, number>
  bands: number[]
  deductions: Record<string, number>
  accident_d_years: number
  fined_d: boolean
}

export interface Accident {
  id: number
  enterprise_id: number
  enterprise_name: string
  zone_id: number
  device_id: number | null
  occurred_on: string
  deaths: number
  injuries: number
  responsible: boolean
  description: string
  created_at: string
}

export interface AccidentCreate {
  enterprise_id: number
  occurred_on: string
  deaths: number
  injuries: number
  responsible: boolean
  description: string
}

export interface EnforcementCase {
  id: number
  enterprise_id: number
  enterprise_name: string
  zone_id: number
  case_no: string
  opened_on: string
  violation: string
  ordered_to_correct: boolean
  fine_yuan: string | null
  closed_on: string | null
}

export interface CaseCreate {
  enterprise_id: number
  case_no: string
  opened_on: string
  violation: string
  ordered_to_correct: boolean
  fine_yuan: string | null
}

/** what a regulator records against an enterprise */
export type EventKind = 'accident' | 'case' | 'recognition'

export type RecognitionKind = 'benchmark' | 'intrinsic_safety'

export interface RecognitionCreate {
  enterprise_id: number
  kind: RecognitionKind
  granted_on: string
  expires_on: string | null
  note: string
}

export interface GradeFilter {
  grade?: Grade
  zone_id?: number
  q?: string
}

/** Grades in scope, highest risk first. */
export function listGrades(filter: GradeFilter, page: number, perPage: number): Promise<Page<GradeSummary>> {
  return request<Page<GradeSummary>>('/api/credit/grades', { query: { ...filter, page, per_page: perPage } })
}

/** How many enterprises hold each grade under the zone and name filters. */
export function countGrades(filter: Omit<GradeFilter, 'grade'>): Promise<GradeCounts> {
  return request<GradeCounts>('/api/credit/grades/counts', { query: { ...filter } })
}

/** One enterprise's grade with breakdown, reasons and what to fix; 404 when out of scope or not graded. */
export function fetchEnterpriseCredit(id: number | string): Promise<EnterpriseCredit> {
  return request<EnterpriseCredit>(`/api/credit/enterprises/${id}`)
}

/** Grade changes of one enterprise, newest first. */
export function listGradeChanges(id: number | string, page: number, perPage: number): Promise<Page<GradeChange>> {
  return request<Page<GradeChange>>(`/api/credit/enterprises/${id}/changes`, { query: { page, per_page: perPage } })
}

export function fetchConfig(): Promise<CreditConfig> {
  return request<CreditConfig>('/api/credit/config')
}

/** Every change of the grading config: who changed which setting, from what to what, newest first. */
export function fetchConfigHistory(): Promise<HistoryEntry[]> {
  return request<HistoryEntry[]>('/api/credit/config/history')
}

/** Replace the grading config (bureau); applies from the next recompute. */
export function saveConfig(config: CreditConfig): Promise<CreditConfig> {
  return request<CreditConfig>('/api/credit/config', { method: 'PUT', json: config })
}

/** Run a full grading cycle now (bureau). */
export function recomputeNow(): Promise<{ as_of: string; graded: number; changed: number }> {
  return request('/api/credit/recompute', { method: 'POST', json: {} })
}

export function listAccidents(page: number, perPage: number): Promise<Page<Accident>> {
  return request<Page<Accident>>('/api/credit/accidents', { query: { page, per_page: perPage } })
}

/** Record an accident (事故); the enterprise is re-graded at once. */
export function recordAccident(body: AccidentCreate): Promise<Accident> {
  return request<Accident>('/api/credit/accidents', { method: 'POST', json: body })
}

export function listCases(page: number, perPage: number): Promise<Page<EnforcementCase>> {
  return request<Page<EnforcementCase>>('/api/credit/enforcement-cases', { query: { page, per_page: perPage } })
}

/** Open an enforcement case (立案处罚); the enterprise is re-graded at once. */
export function openCase(body: CaseCreate): Promise<EnforcementCase> {
  return request<EnforcementCase>('/api/credit/enforcement-cases', { method: 'POST', json: body })
}

/** Grant a recognition (bureau): dual-prevention benchmark or intrinsic safety. */
export function grantRecognition(body: RecognitionCreate): Promise<unknown> {
  return request('/api/credit/recognitions', { method: 'POST', json: body })
}
