// Enum code → i18n key and tag colour, in one place. Templates never hard-code status text.
import type { ComplaintStatus, DeviceCategory, HazardSeverity, HazardStatus, InspectionState } from '@/api/types'
import type { SyncMark } from '@/offline/db'

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'default'

export const DEVICE_CATEGORIES: DeviceCategory[] = [
  'boiler',
  'pressure_vessel',
  'gas_cylinder',
  'pressure_piping',
  'elevator',
  'crane',
  'ropeway',
  'amusement_ride',
  'field_vehicle',
]

export const INSPECTION_TAG: Record<InspectionState, TagType> = {
  valid: 'success',
  due_soon: 'warning',
  overdue: 'danger',
  inspect_before_reuse: 'warning',
  unknown: 'default',
  not_required: 'default',
}

export const HAZARD_STATUS_TAG: Record<HazardStatus, TagType> = {
  reported: 'danger',
  rectifying: 'warning',
  rectification_submitted: 'primary',
  verified_closed: 'success',
}

export const SEVERITY_TAG: Record<HazardSeverity, TagType> = { general: 'warning', major: 'danger' }

export const SYNC_TAG: Record<SyncMark, TagType> = { synced: 'default', pending: 'primary', attention: 'danger' }

export const OPEN_HAZARD_STATUSES: HazardStatus[] = ['reported', 'rectifying', 'rectification_submitted']

export const HAZARD_CATEGORY_SUGGESTIONS = [
  '安全附件',
  '安全保护装置',
  '作业人员',
  '使用登记',
  '定期检验',
  '维护保养',
  '安全管理制度',
  '其他',
]

export const COMPLAINT_STATUS_TAG: Record<ComplaintStatus, TagType> = {
  received: 'danger',
  substantiated: 'warning',
  not_substantiated: 'default',
  duplicate: 'default',
}
