// DTOs mirroring the backend's public JSON (see shared/API.md).
import type { Geolocation, PhotoMeta, Scan } from '@/presence/provenance'

export type Role =
  'bureau_admin' | 'inspector' | 'safety_manager' | 'block_supervisor' | 'maintenance_admin' | 'maintenance_worker'

export interface User {
  id: number | string
  username: string
  role: Role
  display_name: string
  enterprise_id: number | string | null
  zone_id: number | string | null
  block_id: number | string | null
  /** signed in with a one-time password: only setting a new password works until done */
  must_change_password?: boolean
}

/** A signed-in device of mine (GET /api/auth/sessions). */
export interface SessionInfo {
  id: string
  created_at: string
  last_used_at: string
  client: string
  user_agent: string
  current: boolean
}

export interface LoginResponse {
  access_token: string
  refresh_token: string
  user: User
}

export type DeviceCategory =
  | 'boiler'
  | 'pressure_vessel'
  | 'gas_cylinder'
  | 'pressure_piping'
  | 'elevator'
  | 'crane'
  | 'ropeway'
  | 'amusement_ride'
  | 'field_vehicle'
export type DeviceStatus = 'in_use' | 'idle' | 'scrapped' | 'sealed' | 'stopped'
export type InspectionState = 'valid' | 'due_soon' | 'overdue' | 'inspect_before_reuse' | 'unknown' | 'not_required'

export interface Device {
  id: number | string
  enterprise_id: number | string
  enterprise_name: string
  category: DeviceCategory
  /** the category's Chinese name (电梯) */
  category_label?: string
  registration_no: string
  device_code: string
  name: string
  location: string
  status: DeviceStatus
  next_inspection_due: string | null
  last_inspection_on?: string | null
  inspection_state: InspectionState
  /** inspection records the enterprise entered that wait for a regulator (待核验) */
  pending_inspection_records?: number
  accessory_next_due?: string | null
  accessory_state?: string
  installed_on?: string | null
  age_years?: number | null
  old_elevator?: boolean
  key_monitored: boolean
  maintenance_company: string | null
  emergency_phone: string | null
  qr_token: string | null
  qr_url: string | null
  /** labels at further positions of the device (机房 / 轿顶 / 轿厢), each its own token */
  position_labels?: PositionLabel[]
  /** registered place (set by regulators) */
  latitude?: number | null
  longitude?: number | null
  open_hazards: number
  /** last daily self-check of the device and last mutual check of its enterprise */
  last_self_check?: LastCheck | null
  last_mutual_check?: LastCheck | null
  updated_at: string
}

export interface PositionLabel {
  position: string
  position_label: string
  token: string
  qr_url: string
  issued_at?: string
}

/** Proof of presence fields a check or hazard payload may carry (older outbox items have none). */
export interface PresenceIn {
  geolocation?: Geolocation
  scans?: Scan[]
  photo_meta?: PhotoMeta[]
}

/** How strongly a record shows its author was at the device. */
export interface Evidence {
  on_site: boolean
  warnings: string[]
  time_on_site_s: number | null
}

export interface PresenceRecord {
  geolocation: Geolocation | null
  scans: Array<{ token: string; position: string | null; device_id: number; at: string }>
  photos: Record<string, { source: string; taken_at: string | null; geolocation: Geolocation | null }>
}

export interface LastCheck {
  on: string
  result: 'pass' | 'fail'
}

export interface PublicDevice {
  category: DeviceCategory
  registration_no: string
  enterprise_name: string
  status: DeviceStatus
  /** 在用 / 停用 / 报废 / 已查封 / 责令停止使用, in Chinese from the server */
  status_label?: string
  inspection_state: InspectionState
  next_inspection_due: string | null
  maintenance_company: string | null
  emergency_phone: string | null
  /** the last elevator maintenance (维保): day, kind, confirmed on site by the using unit */
  last_maintenance?: { on: string; kind: string; confirmed: boolean } | null
  next_maintenance_due?: string | null
}

export interface QrLookup {
  public: PublicDevice
  device: Device | null
  /** the position of the label scanned (machine_room, car_top, car …); null for the default label */
  position?: string | null
  position_label?: string | null
}

export type HazardSource = 'self_check' | 'mutual_check' | 'inspection' | 'complaint'
export type HazardSeverity = 'general' | 'major'
export type HazardStatus = 'reported' | 'rectifying' | 'rectification_submitted' | 'verified_closed'
export type HazardAction = 'start_rectification' | 'submit_rectification' | 'verify' | 'return'

export interface HazardPhoto {
  sha256: string
  stage: 'before' | 'after'
  thumbnail_url: string | null
  url: string | null
}

export interface HazardEvent {
  action: string
  actor_name: string
  note: string | null
  reason: string | null
  at: string
  /** how strongly the step's photos (the rectification's after-photos) show they were taken on site */
  evidence?: Evidence | null
}

export interface Hazard {
  id: string
  enterprise_id: number | string | null
  enterprise_name: string
  device_id: number | string | null
  device_label: string | null
  source: HazardSource
  category: string
  severity: HazardSeverity
  description: string
  location: string
  status: HazardStatus
  deadline: string | null
  is_overdue: boolean
  photos: HazardPhoto[]
  events: HazardEvent[]
  allowed_actions: HazardAction[]
  /** counts in the credit grade; a peer's mutual-check finding waits for a regulator (absent on old copies) */
  confirmed?: boolean
  presence?: PresenceRecord | null
  evidence?: Evidence
  created_at: string
  updated_at: string
}

export interface HazardCreate extends PresenceIn {
  id: string
  enterprise_id?: number | string
  device_id?: number | string
  source: HazardSource
  category: string
  severity: HazardSeverity
  description: string
  location: string
  photos: string[]
  deadline?: string
  /** the phone's date when the report was made: an offline report's deadline is judged against it */
  recorded_on?: string
}

/** Empty note/reason are left out (the server defaults them; it refuses null). The presence fields record where
 * the step's photos came from. */
export interface HazardTransition extends PresenceIn {
  hazard_id: string
  id: string
  action: HazardAction
  note?: string
  reason?: string
  photos: string[]
}

export interface Enterprise {
  id: number | string
  name: string
  [key: string]: unknown
}

export interface Page<T> {
  items: T[]
  page: number
  per_page: number
  total: number
}

export interface PhotoUploadResult {
  sha256: string
  width: number
  height: number
  thumbnail_url: string
  url: string
}

export type ItemResult = 'pass' | 'fail' | 'na'

/** `required: false` marks an optional item (may be left unanswered); missing means required. */
export interface ChecklistItem {
  code: string
  text: string
  required?: boolean
}
export interface ChecklistSection {
  code: string
  title: string
  items: ChecklistItem[]
}

/** One published version of a checklist (a submitted check keeps the version it used). */
export interface ChecklistTemplate {
  id: number
  code: string
  version: number
  purpose: 'enterprise' | 'daily_device' | 'weekly_investigation' | 'monthly_dispatch'
  device_category: string | null
  title: string
  sections: ChecklistSection[]
}

/** A mutual-check task (互查任务) of a block supervisor. */
export interface CheckAssignment {
  id: number
  cycle_id: number
  cycle_name: string
  due_on: string
  enterprise_id: number
  enterprise_name: string
  supervisor_id: number | null
  check_id: string | null
  done: boolean
}

export interface CheckItemAnswer {
  code: string
  result: ItemResult
  note?: string
  photos: string[]
}

/** Body of POST /api/checks and of the `check.submit` sync op. */
export type InspectionMode = 'onsite' | 'remote' | 'electronic'

export interface CheckSubmit extends PresenceIn {
  id: string
  kind: 'self_check' | 'mutual_check' | 'inspection' | 'acceptance'
  subkind?: string
  /** onsite (default), remote or electronic: the last two for special inspections of A/B enterprises */
  mode?: InspectionMode
  template_id: number
  assignment_id?: number
  enterprise_id?: number
  device_id?: number
  performed_on: string
  signed_by: string
  /** sha256 of the drawn signature (mutual checks) */
  signature?: string
  summary?: string
  items: CheckItemAnswer[]
}

/** A check as GET /api/checks/<id> gives it. */
export interface CheckRecord {
  id: string
  kind: CheckSubmit['kind']
  subkind: string
  template_title: string
  enterprise_id: number
  enterprise_name: string
  device_id: number | null
  performed_by: string
  performed_on: string
  result: 'pass' | 'fail'
  summary: string
  signed_by: string
  signed_at: string
  failed_items: number
  hazard_ids: string[]
  presence: PresenceRecord | null
  signature_url: string | null
  evidence: Evidence
}

export interface RhythmStatus {
  due: boolean
  missed: Array<{ start: string; end: string }>
  last_done: string | null
}

/** One device in use and its daily check (日管控), as GET /api/self-checks/status lists it. */
export interface DailyDeviceStatus {
  device_id: number
  name: string
  category: string
  due: boolean
  missed: string[]
  last_done: string | null
}

export interface EnterpriseSelfCheck {
  enterprise_id: number
  enterprise_name: string
  as_of?: string
  daily: { due: number; missed: number; devices?: DailyDeviceStatus[] }
  weekly: RhythmStatus
  monthly: RhythmStatus
}

export interface SelfCheckOverview {
  enterprises: EnterpriseSelfCheck[]
}

export type OpType =
  'hazard.create' | 'hazard.transition' | 'check.submit' | 'notice.acknowledge' | 'maintenance.record'

/** Sync op `maintenance.record`: the body of POST /api/maintenance/orders/<id>/records plus order_id. */
export interface MaintenanceRecordOp {
  order_id: number
  items: Array<{ code: string; result: string; note?: string; photos: string[] }>
  scans: Array<{ token: string; at: string }>
  photos: string[]
  signature: string
  released_at?: string | null
}

/** Sync op `notice.acknowledge`: the safety manager's signature (an uploaded PNG, by sha256). */
export interface NoticeAcknowledge {
  notice_id: number
  signature: string
}
export type OpStatus = 'applied' | 'duplicate' | 'conflict' | 'rejected'

export interface PushOp {
  op_id: string
  type: OpType
  payload: HazardCreate | HazardTransition | CheckSubmit | NoticeAcknowledge | MaintenanceRecordOp
}

export interface PushResult {
  op_id: string
  status: OpStatus
  error?: { code: string; message: string }
}

export interface PullChange {
  entity: 'device' | 'hazard' | 'enterprise' | 'check' | 'notice'
  id: number | string
  deleted: boolean
  data: Record<string, unknown> | null
}

export interface PullResponse {
  changes: PullChange[]
  cursor: string
  more: boolean
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> }
}

export type ComplaintCategory =
  | 'elevator_trapped'
  | 'abnormal_operation'
  | 'no_inspection_label'
  | 'overdue_inspection'
  | 'unlicensed_operation'
  | 'other'

export interface PowChallenge {
  challenge: string
  difficulty: number
  expires_at: string
  algorithm: string
}

export interface ComplaintReceipt {
  ticket_no: string
  tracking_code: string
}

export interface ComplaintTracking {
  ticket_no: string
  status: string
  status_label: string
  category: string
  category_label: string
  submitted_on: string
  /** null while a complaint made without a label is not yet linked to its device */
  device_category: string | null
  registration_no: string
  address: string
  stage: ComplaintStage
  stage_label: string
  steps: Array<{ stage: ComplaintStage; label: string }>
  replies: Array<{ at: string; text: string }>
  reward: { amount_yuan: string | null; status: 'pending' | 'paid'; paid_on: string | null } | null
  /** the verified rectification's photos, only when the bureau publishes them */
  after_photos: Array<{ thumbnail_url: string; url: string }>
}

export type ComplaintStage = 'received' | 'checked' | 'rectifying' | 'rectified'
export type RewardMethod = 'bank_transfer' | 'mobile_payment' | 'cash'

export interface RewardPaymentBody {
  paid_on: string
  method: RewardMethod
  reference: string
}

export type ComplaintStatus = 'received' | 'substantiated' | 'not_substantiated' | 'duplicate'
export type TriageOutcome = Exclude<ComplaintStatus, 'received'>

/** A complaint as a regulator sees it in a list (phone masked). */
export interface ComplaintSummary {
  id: number
  ticket_no: string
  status: ComplaintStatus
  status_label: string
  category: ComplaintCategory
  category_label: string
  description: string
  device_id: string | null
  device_label: string | null
  reported_registration_no: string
  reported_address: string
  enterprise_id: string | null
  enterprise_name: string | null
  contact_phone_masked: string | null
  /** came in beyond its label's quota (maybe junk): queued for triage, never refused */
  flagged: boolean
  contact_purged_at: string | null
  public_reply: string | null
  duplicate_of_id: number | null
  hazard_id: string | null
  reward: {
    amount_yuan: string | null
    status: string
    paid_at: string | null
    paid_on: string | null
    method: RewardMethod | null
    reference: string
  } | null
  created_at: string
  closed_at: string | null
  closed_on: string | null
}

/** One complaint: regulators in scope also get the photos; the phone stays masked until revealed. */
export interface ComplaintDetail extends ComplaintSummary {
  photos: Array<{ sha256: string; thumbnail_url: string; url: string }>
  events: Array<{ action: string; to_status: string; actor_id: number | null; public_reply: string | null; at: string }>
}

export interface TriageBody {
  outcome: TriageOutcome
  public_reply: string
  duplicate_of?: number | null
  open_hazard?: { severity: string; category: string; description: string; attach_photos: boolean } | null
  reward_yuan?: string | null
  /** links a complaint made without a label to its device */
  device_id?: number | null
}
