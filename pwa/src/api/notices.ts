// Escalation notices (三书一函): issue, read, sign, reply, close (API.md "Notices").
import type { Page } from './types'
import { request, requestRaw } from './http'

export type NoticeKind = 'reminder' | 'rectification' | 'interview' | 'listed_supervision'
export type NoticeStatus = 'issued' | 'acknowledged' | 'replied' | 'closed' | 'overdue'
export type NoticeAction = 'acknowledge' | 'reply' | 'close'

export interface NoticeHazard {
  position: number
  hazard_id: string
  place: string
  description: string
  severity: string
  hazard_deadline: string
  status: string
}

export interface Notice {
  id: number
  number: string
  kind: NoticeKind
  title: string
  enterprise_id: number
  enterprise_name: string
  zone_name: string
  issued_by: string
  issued_on: string
  deadline: string
  remarks: string
  hazards: NoticeHazard[]
  status: NoticeStatus
  next_kind: NoticeKind | null
  acknowledged_at: string | null
  acknowledged_by: string | null
  signature_url: string | null
  replied_at: string | null
  replied_by: string | null
  reply_text: string
  reply_photos: Array<{ sha256: string; thumbnail_url: string; url: string }>
  closed_at: string | null
  closed_by: string | null
  allowed_actions: NoticeAction[]
}

export interface NoticeSuggestion {
  enterprise_id: number
  enterprise_name: string
  kind: NoticeKind
  title: string
  deadline: string
  hazards: Array<{
    id: string
    description: string
    severity: string
    status: string
    deadline: string
    is_overdue: boolean
    device_label: string | null
  }>
  overdue_notices: Array<{ id: number; number: string; title: string; kind: NoticeKind; deadline: string }>
}

export interface NoticeCreate {
  kind: NoticeKind
  enterprise_id: number
  hazard_ids: string[]
  deadline: string
  remarks?: string
}

export const NOTICE_KINDS: NoticeKind[] = ['reminder', 'rectification', 'interview', 'listed_supervision']

export function fetchNotices(page: number, perPage: number, query: { enterprise_id?: number } = {}) {
  return request<Page<Notice>>('/api/notices', { query: { page, per_page: perPage, ...query } })
}

export function fetchNotice(id: number | string): Promise<Notice> {
  return request<Notice>(`/api/notices/${encodeURIComponent(String(id))}`)
}

/** The issue form's defaults for a hazard, an enterprise, or the next step after an overdue notice (its open hazards). */
export function fetchSuggestion(query: {
  hazard_id?: string
  enterprise_id?: string
  notice_id?: string
}): Promise<NoticeSuggestion> {
  return request<NoticeSuggestion>('/api/notices/suggestion', { query })
}

export function issueNotice(body: NoticeCreate): Promise<Notice> {
  return request<Notice>('/api/notices', { method: 'POST', json: body })
}

export function replyToNotice(id: number, body: { text: string; photos: string[] }): Promise<Notice> {
  return request<Notice>(`/api/notices/${id}/reply`, { method: 'POST', json: body })
}

export function closeNotice(id: number): Promise<Notice> {
  return request<Notice>(`/api/notices/${id}/close`, { method: 'POST', json: {} })
}

/** The printable notice, fetched with the session's token (a plain link would carry none). */
export async function fetchNoticePdf(id: number): Promise<Blob> {
  return (await requestRaw(`/api/notices/${id}.pdf`)).blob()
}
