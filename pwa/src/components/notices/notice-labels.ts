// Status tags of a notice (API.md: issued, acknowledged, replied, closed, overdue).
import type { NoticeStatus } from '@/api/notices'

export const NOTICE_STATUS_TAG: Record<NoticeStatus, 'primary' | 'success' | 'warning' | 'danger' | 'default'> = {
  issued: 'warning',
  acknowledged: 'primary',
  replied: 'primary',
  closed: 'success',
  overdue: 'danger',
}

/**
 * The status to show for the phone's copy on `today` (YYYY-MM-DD, China time as the server counts): a notice not yet
 * answered (issued or signed) whose deadline has passed is overdue, as the server would say now. The copy was pulled
 * when it last changed, and time passing changes nothing on the server, so the stored status alone stays "issued".
 */
export function shownNoticeStatus(notice: { status: NoticeStatus; deadline: string }, today: string): NoticeStatus {
  const unanswered = notice.status === 'issued' || notice.status === 'acknowledged'
  return unanswered && notice.deadline < today ? 'overdue' : notice.status
}
