// Status tags of a notice (API.md: issued, acknowledged, replied, closed, overdue).
import type { NoticeStatus } from '@/api/notices'

export const NOTICE_STATUS_TAG: Record<NoticeStatus, 'primary' | 'success' | 'warning' | 'danger' | 'default'> = {
  issued: 'warning',
  acknowledged: 'primary',
  replied: 'primary',
  closed: 'success',
  overdue: 'danger',
}
