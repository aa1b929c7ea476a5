// User administration (bureau admin: everyone; zone inspector: the accounts of their zone's enterprises).
// One-time passwords come back once, in the answer that made them: the screens show them and forget them.
import type { Page, Role } from './types'
import { request, requestRaw } from './http'

export interface AdminUser {
  id: number
  username: string
  display_name: string
  role: Role
  /** the zone of an inspector (enterprise accounts have their enterprise's: enterprise_zone_id) */
  zone_id: number | null
  zone_name: string | null
  enterprise_id: number | null
  enterprise_name: string | null
  enterprise_zone_id: number | null
  /** the person record (with the certificates) this account acts as */
  person_id: number | null
  person_name: string | null
  phone: string
  active: boolean
  must_change_password: boolean
  created_at: string
}

export interface UserFilter {
  q?: string
  role?: Role | ''
  active?: boolean | null
}

export interface UserDraft {
  username: string
  display_name: string
  role: Role
  zone_id: number | null
  enterprise_id: number | null
  person_id: number | null
  phone: string
}

export type UserChanges = Partial<Omit<UserDraft, 'username'>> & { active?: boolean; reason?: string }

export interface NewUser {
  user: AdminUser
  one_time_password: string
}

export interface HistoryEntry {
  at: string
  actor: string | null
  field: string
  before: unknown
  after: unknown
  reason: string
}

/** One bad row of a bulk sheet (422 bulk_rejected, details.rows). */
export interface BulkRowError {
  row: number
  username: string
  errors: Record<string, string[]> | string[]
}

export function listUsers(filter: UserFilter, page = 1, perPage = 20): Promise<Page<AdminUser>> {
  return request<Page<AdminUser>>('/api/users', {
    query: {
      q: filter.q?.trim() || undefined,
      role: filter.role || undefined,
      active: filter.active ?? undefined,
      page,
      per_page: perPage,
    },
  })
}

export function createUser(draft: UserDraft): Promise<NewUser> {
  return request<NewUser>('/api/users', { method: 'POST', json: draft })
}

export function fetchUser(id: number | string): Promise<AdminUser> {
  return request<AdminUser>(`/api/users/${encodeURIComponent(String(id))}`)
}

export function updateUser(id: number | string, changes: UserChanges): Promise<AdminUser> {
  return request<AdminUser>(`/api/users/${encodeURIComponent(String(id))}`, { method: 'PATCH', json: changes })
}

export async function resetPassword(id: number | string): Promise<string> {
  const res = await request<{ one_time_password: string }>(
    `/api/users/${encodeURIComponent(String(id))}/reset-password`,
    { method: 'POST' },
  )
  return res.one_time_password
}

export function userHistory(id: number | string): Promise<HistoryEntry[]> {
  return request<HistoryEntry[]>(`/api/users/${encodeURIComponent(String(id))}/history`)
}

/**
 * Create every user of an XLSX sheet (all rows or none) and get back the sheet of their one-time passwords.
 * A bad sheet throws ApiError 422 `bulk_rejected` with `details.rows`.
 */
export async function importUsers(file: Blob): Promise<{ blob: Blob; disposition: string | null }> {
  const res = await requestRaw('/api/users/bulk', {
    method: 'POST',
    body: file,
    headers: { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
    query: { format: 'xlsx' },
  })
  return { blob: await res.blob(), disposition: res.headers.get('Content-Disposition') }
}
