import { request } from './http'

/** One notification of `GET /api/notifications` (API.md, "Notifications and scheduled jobs"). */
export interface AppNotification {
  id: number
  kind: string
  title: string
  body: string
  /** a PWA route to open */
  link: string
  urgent: boolean
  created_at: string
  read_at: string | null
}

export interface Inbox {
  items: AppNotification[]
  page: number
  per_page: number
  total: number
  unread_count: number
}

export function fetchInbox(query: { unread?: boolean; page?: number; per_page?: number } = {}): Promise<Inbox> {
  return request<Inbox>('/api/notifications', { query })
}

export function markNotificationRead(id: number): Promise<AppNotification> {
  return request<AppNotification>(`/api/notifications/${id}/read`, { method: 'POST' })
}
