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

export type NotifyChannel = 'email' | 'sms'

/** `GET`/`PUT /api/notifications/preferences`: where and when the caller is told outside the app. */
export interface NotificationPreferences {
  email: string
  phone: string
  /** false: in the app only */
  outbound: boolean
  mode: 'digest' | 'immediate'
  /** "HH:MM" China time, both empty for none */
  quiet_start: string
  quiet_end: string
  /** the categories narrowed to some channels; any other takes every channel */
  channels: Record<string, NotifyChannel[]>
  /** every category there is (read only) */
  categories?: string[]
}

export function fetchPreferences(): Promise<NotificationPreferences> {
  return request<NotificationPreferences>('/api/notifications/preferences')
}

export function savePreferences(body: NotificationPreferences): Promise<NotificationPreferences> {
  const { categories: _unused, ...rest } = body
  return request<NotificationPreferences>('/api/notifications/preferences', { method: 'PUT', json: rest })
}
