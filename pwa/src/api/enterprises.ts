// Enterprises (企业) for the enterprise pages: the regulators' list is online only; the page itself reads the
// synced copy first (see EnterpriseDetailView) and asks the server for check figures while online.
import type { EnterpriseSelfCheck, Page } from './types'
import { request, requestRaw } from './http'

/** Model-enterprise (示范单位) status. */
export type ModelStatus = 'none' | 'candidate' | 'accepted'

/** An enterprise record as GET /api/enterprises gives it (EnterpriseSchema). */
export interface EnterpriseRecord {
  id: number
  name: string
  credit_code: string
  zone_id: number
  zone_name: string
  block_id: number | null
  block_name: string | null
  address: string
  model_status: ModelStatus
  model_accepted_on: string | null
  contact_phone: string
  complaint_count: number
  updated_at: string
}

export interface EnterpriseQuery {
  q?: string
  block_id?: number | null
  model_status?: ModelStatus | ''
}

/** An enterprise as a picker lists it. */
export interface EnterpriseBrief {
  id: number
  name: string
  credit_code: string
  zone_name: string
}

export interface BlockBrief {
  id: number
  name: string
  zone_id: number
  zone_name: string
}

/** A check as listed by GET /api/checks (the fields the enterprise page shows). */
export interface CheckBrief {
  id: string
  kind: string
  subkind: string
  performed_on: string
  performed_by: string
  result: 'pass' | 'fail'
  template_version: number
}

/** Enterprises in the caller's scope, searchable by name or credit code, page by page. */
export function listEnterprises(filter: EnterpriseQuery, page = 1, perPage = 20): Promise<Page<EnterpriseRecord>> {
  return request<Page<EnterpriseRecord>>('/api/enterprises', {
    query: {
      q: filter.q?.trim() || undefined,
      block_id: filter.block_id ?? undefined,
      model_status: filter.model_status || undefined,
      page,
      per_page: perPage,
    },
  })
}

export function fetchEnterprise(id: number | string): Promise<EnterpriseRecord> {
  return request<EnterpriseRecord>(`/api/enterprises/${encodeURIComponent(String(id))}`)
}

export async function listBlocks(): Promise<BlockBrief[]> {
  return (await request<Page<BlockBrief>>('/api/blocks', { query: { per_page: 100 } })).items
}

/** The newest check of a kind on an enterprise (null when none). */
export async function latestCheck(enterpriseId: number | string, kind: string): Promise<CheckBrief | null> {
  const page = await request<Page<CheckBrief>>('/api/checks', {
    query: { enterprise_id: enterpriseId, kind, per_page: 1 },
  })
  return page.items[0] ?? null
}

/** Due and missed self-checks of one enterprise (日管控、周排查、月调度). */
export async function enterpriseSelfChecks(enterpriseId: number | string): Promise<EnterpriseSelfCheck | null> {
  const res = await request<{ enterprises: EnterpriseSelfCheck[] }>('/api/self-checks/status', {
    query: { enterprise_id: enterpriseId },
  })
  return res.enterprises[0] ?? null
}

/** The printable sheet of the enterprise's device QR labels (fetched with the token, then saved). */
export async function fetchLabelsPdf(enterpriseId: number | string): Promise<Blob> {
  return (await requestRaw(`/api/enterprises/${encodeURIComponent(String(enterpriseId))}/labels.pdf`)).blob()
}

/** Enterprises in the caller's scope whose name or credit code contains `q` (the enterprise picker). */
export async function searchEnterprises(q: string): Promise<EnterpriseBrief[]> {
  return (await request<Page<EnterpriseBrief>>('/api/enterprises', { query: { q, per_page: 20 } })).items
}
