// Random inspection plans (双随机、一公开), key objects named by the regulator (重点监管对象) and inspector
// recusals (回避): regulators, online only, nothing here goes through the outbox. The public list is anonymous.
import type { Page } from './types'
import type { HistoryEntry } from './users'
import { request, requestRaw } from './http'

export type Grade = 'A' | 'B' | 'C' | 'D'
export type PlanStatus = 'draft' | 'published'
export type ItemStatus = 'pending' | 'done' | 'not_found'
export type KeyReason = 'public_place' | 'accident' | 'complaints' | 'named'
export type RecusalKind = 'relative' | 'former_employer' | 'interest' | 'other'
export type QuotaKey = 'size' | 'A_max' | 'B_min' | 'C_min'

export const RECUSAL_KINDS: RecusalKind[] = ['relative', 'former_employer', 'interest', 'other']

export interface PlanBrief {
  id: number
  zone_id: number
  zone_name: string
  title: string
  period_start: string
  period_end: string
  size: number
  status: PlanStatus
  published_at: string | null
  total: number
  executed: number
  created_at: string
}

export interface PlanItem {
  id: number
  enterprise_id: number
  enterprise_name: string
  grade: Grade
  key_reasons: KeyReason[]
  named_reason: string
  inspector_ids: number[]
  inspectors: { id: number; name: string }[]
  status: ItemStatus
  result: string
  done_on: string | null
  findings: number
}

export interface Plan extends Omit<PlanBrief, 'created_at'> {
  /** 计划总数: the quotas are shares of it; above `size` when the mandatory objects need it */
  quota_total: number
  /** shortfalls and other departures from the asked size, in plain words (also in the PDF) */
  notes: string[]
  pdf_url: string
  seed: number
  per_item: number
  candidates_digest: string
  composition: Record<Grade, number>
  execution_rate: number
  limits: { A_max: number; B_min: number; C_min: number }
  quota: Record<QuotaKey, boolean>
  items: PlanItem[]
}

export type GradeCounts = Record<Grade, number>

/** GET /api/plans/preview: the zone's figures before drawing and, with `size`, what the plan would hold. */
export interface PlanPreview {
  zone_id: number
  candidates: GradeCounts
  mandatory: { total: number; D: number; key: number; by_grade: GradeCounts }
  /** inclusive [from, to] ranges of sizes whose plan meets every quota exactly */
  exact_sizes: [number, number][]
  inspectors: { zone: number; city_others: number }
  size?: number
  quota_total?: number
  composition?: GradeCounts
  limits?: { A_max: number; B_min: number; C_min: number }
  exact?: boolean
  notes?: string[]
}

export interface PlanDraw {
  zone_id: number
  title?: string
  period_start: string
  period_end: string
  size: number
  per_item: number
  seed?: number | null
}

export interface ItemResult {
  status: Exclude<ItemStatus, 'pending'>
  done_on: string
  findings: number
  result: string
}

export interface KeyObject {
  id: number
  enterprise_id: number
  enterprise_name: string
  zone_id: number
  reason: string
  named_by_id: number
  named_by_name: string
  starts_on: string
  ends_on: string | null
  in_force: boolean
  created_at: string
}

export interface KeyObjectCreate {
  enterprise_id: number
  reason: string
  starts_on?: string | null
  ends_on?: string | null
}

export interface Recusal {
  id: number
  inspector_id: number
  inspector_name: string
  enterprise_id: number
  enterprise_name: string
  kind: RecusalKind
  reason: string
  declared_at: string | null
  active: boolean
  withdrawn_at: string | null
  withdraw_reason: string
}

export interface PublicPlan {
  id: number
  zone_name: string
  title: string
  period_start: string
  period_end: string
  seed: number
  published_at: string
  total: number
  executed: number
  items: { enterprise_name: string; status: ItemStatus; result: string; done_on: string | null; findings: number }[]
}

const id = (value: number | string): string => encodeURIComponent(String(value))

/** Plans of the caller's zone(s), newest first; `status` filters drafts or published plans. */
export function listPlans(page = 1, perPage = 20, status?: PlanStatus): Promise<Page<PlanBrief>> {
  return request<Page<PlanBrief>>('/api/plans', { query: { page, per_page: perPage, status } })
}

export function fetchPlan(planId: number | string): Promise<Plan> {
  return request<Plan>(`/api/plans/${id(planId)}`)
}

/** Who published the plan and recorded each result, and when, newest first. */
export function fetchPlanHistory(planId: number | string): Promise<HistoryEntry[]> {
  return request<HistoryEntry[]>(`/api/plans/${id(planId)}/history`)
}

/** Draw a plan; a 422 `plan_impossible` carries `details.quotas` naming each broken quota. */
export function drawPlan(body: PlanDraw): Promise<Plan> {
  return request<Plan>('/api/plans', { method: 'POST', json: body })
}

export function previewPlan(query: {
  zone_id: number
  size?: number
  period_start?: string
  period_end?: string
}): Promise<PlanPreview> {
  return request<PlanPreview>('/api/plans/preview', { query })
}

/** The printable plan (A4) with its notes. */
export async function fetchPlanPdf(planId: number | string): Promise<Blob> {
  return (await requestRaw(`/api/plans/${id(planId)}.pdf`)).blob()
}

export function publishPlan(planId: number | string): Promise<Plan> {
  return request<Plan>(`/api/plans/${id(planId)}/publish`, { method: 'POST', json: {} })
}

export function recordItemResult(planId: number | string, itemId: number, body: ItemResult): Promise<Plan> {
  return request<Plan>(`/api/plans/${id(planId)}/items/${itemId}/result`, { method: 'POST', json: body })
}

export function listKeyObjects(page = 1, perPage = 20, inForce?: boolean): Promise<Page<KeyObject>> {
  return request<Page<KeyObject>>('/api/plans/key-objects', { query: { page, per_page: perPage, in_force: inForce } })
}

export function nameKeyObject(body: KeyObjectCreate): Promise<KeyObject> {
  return request<KeyObject>('/api/plans/key-objects', { method: 'POST', json: body })
}

export function endKeyObject(keyObjectId: number): Promise<KeyObject> {
  return request<KeyObject>(`/api/plans/key-objects/${keyObjectId}/end`, { method: 'POST', json: {} })
}

export function listRecusals(page = 1, perPage = 20, active?: boolean): Promise<Page<Recusal>> {
  return request<Page<Recusal>>('/api/plans/recusals', { query: { page, per_page: perPage, active } })
}

export function declareRecusal(body: { enterprise_id: number; kind: RecusalKind; reason: string }): Promise<Recusal> {
  return request<Recusal>('/api/plans/recusals', { method: 'POST', json: body })
}

export function withdrawRecusal(recusalId: number, reason = ''): Promise<Recusal> {
  return request<Recusal>(`/api/plans/recusals/${recusalId}/withdraw`, { method: 'POST', json: { reason } })
}

/** Published plans and their results (一公开): anonymous. */
export function listPublicPlans(page = 1, perPage = 10): Promise<Page<PublicPlan>> {
  return request<Page<PublicPlan>>('/api/public/plans', { query: { page, per_page: perPage }, auth: false })
}
