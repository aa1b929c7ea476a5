import { request } from './http'

export type QueueKind =
  'notice_overdue' | 'hazard_verification' | 'complaint_triage' | 'plan_item' | 'missed_self_check'

/** One row of `GET /api/work-queue`: the server orders them by urgency. */
export interface QueueItem {
  kind: QueueKind
  ref: string
  title: string
  subtitle: string
  /** the deadline, or the day the item started waiting */
  due_on: string
  urgency: 'overdue' | 'waiting' | 'upcoming'
  /** a PWA route */
  link: string
  major: boolean
  /** missed self-checks: daily device-days, weekly and monthly periods */
  missed: { daily: number; weekly: number; monthly: number } | null
}

export interface WorkQueue {
  as_of: string
  total: number
  counts: Record<QueueKind, number>
  items: QueueItem[]
}

export function fetchWorkQueue(): Promise<WorkQueue> {
  return request<WorkQueue>('/api/work-queue')
}
