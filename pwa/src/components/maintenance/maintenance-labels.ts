import type { ItemResult, OrderStatus, RecordStatus } from '@/api/maintenance'

type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'default'

export const ORDER_STATUS_TAG: Record<OrderStatus, TagType> = {
  open: 'primary',
  overdue: 'danger',
  done: 'success',
  cancelled: 'default',
}
export const RECORD_STATUS_TAG: Record<RecordStatus, TagType> = {
  awaiting_confirmation: 'warning',
  confirmed: 'success',
  disputed: 'danger',
}
export const ITEM_RESULTS: ItemResult[] = ['ok', 'adjusted', 'failed', 'not_applicable']
