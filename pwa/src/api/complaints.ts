// Anonymous complaint endpoints: plain fetch through http.ts with no token, no IndexedDB, no service worker.
// Triage endpoints (regulators, online only) are at the end.
import type {
  ComplaintCategory,
  ComplaintDetail,
  ComplaintReceipt,
  ComplaintStatus,
  ComplaintSummary,
  ComplaintTracking,
  Device,
  Page,
  PowChallenge,
  RewardPaymentBody,
  TriageBody,
} from './types'
import type { HistoryEntry } from './users'
import { request } from './http'

export const COMPLAINT_CATEGORIES: ComplaintCategory[] = [
  'elevator_trapped',
  'abnormal_operation',
  'overdue_inspection',
  'unlicensed_operation',
  'no_inspection_label',
  'other',
]
export const MAX_COMPLAINT_PHOTOS = 6
export const MAX_COMPLAINT_DESCRIPTION = 2000

export function getChallenge(): Promise<PowChallenge> {
  return request<PowChallenge>('/api/public/challenge', { auth: false })
}

export function putPublicPhoto(sha256: string, blob: Blob): Promise<unknown> {
  return request(`/api/public/photos/${sha256}`, {
    method: 'PUT',
    body: blob,
    headers: { 'Content-Type': 'image/jpeg' },
    auth: false,
  })
}

export interface ComplaintSubmission {
  /** left out for a device without a label: then registration_no or address names it */
  qr_token?: string
  registration_no?: string
  address?: string
  category: ComplaintCategory
  description: string
  photos: string[]
  contact_phone?: string
  /** the complainant agrees to an SMS at that phone when the status changes */
  sms_consent?: boolean
  pow: { challenge: string; nonce: string }
}

export function submitComplaint(body: ComplaintSubmission): Promise<ComplaintReceipt> {
  return request<ComplaintReceipt>('/api/public/complaints', { method: 'POST', json: body, auth: false })
}

export function trackComplaint(ticketNo: string, code: string): Promise<ComplaintTracking> {
  return request<ComplaintTracking>(`/api/public/complaints/${encodeURIComponent(ticketNo)}`, {
    query: { code },
    auth: false,
  })
}

/** Mainland mobile or landline with area code, like the server's normalize_phone; null when invalid. */
export function normalizePhone(raw: string): string | null {
  let digits = raw.replace(/[\s\-()]/g, '')
  for (const prefix of ['+86', '0086']) {
    if (digits.startsWith(prefix)) digits = digits.slice(prefix.length)
  }
  return /^(?:1[3-9]\d{9}|0\d{9,11})$/.test(digits) ? digits : null
}

// --- triage by the zone inspector (signed in, online only: nothing here goes through the outbox) ---

export const COMPLAINT_STATUSES: ComplaintStatus[] = ['received', 'substantiated', 'not_substantiated', 'duplicate']

export interface ComplaintListQuery {
  status?: ComplaintStatus
  device_id?: string | number
  page?: number
  per_page?: number
}

export function listComplaints(query: ComplaintListQuery = {}): Promise<Page<ComplaintSummary>> {
  return request<Page<ComplaintSummary>>('/api/complaints', { query: { ...query } })
}

export function fetchComplaint(id: number | string): Promise<ComplaintDetail> {
  return request<ComplaintDetail>(`/api/complaints/${encodeURIComponent(String(id))}`)
}

export function triageComplaint(id: number | string, body: TriageBody): Promise<ComplaintDetail> {
  return request<ComplaintDetail>(`/api/complaints/${encodeURIComponent(String(id))}/triage`, {
    method: 'POST',
    json: body,
  })
}

/** Devices in the regulator's scope whose registration number or device code starts with `q` (online). */
export function searchDevicesToLink(q: string): Promise<Page<Device>> {
  return request<Page<Device>>('/api/devices', { query: { q, per_page: 10 } })
}

/** The complainant's phone in clear; the server keeps who asked and when. */
export async function revealComplaintPhone(id: number | string, reason = ''): Promise<string> {
  const res = await request<{ contact_phone: string }>(
    `/api/complaints/${encodeURIComponent(String(id))}/phone/reveal`,
    { method: 'POST', json: { reason } },
  )
  return res.contact_phone
}

/** Who saw a complaint's phone in clear, newest first (bureau only). */
export function complaintPhoneReveals(id: number | string): Promise<HistoryEntry[]> {
  return request<HistoryEntry[]>(`/api/complaints/${encodeURIComponent(String(id))}/phone/reveals`)
}

export function payReward(id: number | string, body: RewardPaymentBody): Promise<ComplaintDetail> {
  return request<ComplaintDetail>(`/api/complaints/${encodeURIComponent(String(id))}/reward/payment`, {
    method: 'POST',
    json: body,
  })
}

// --- the complaints sent from this phone: ticket numbers and tracking codes only, kept on the phone ---

export interface SentComplaint {
  ticket_no: string
  tracking_code: string
}

const SENT_KEY = 'sesv.sentComplaints'
const MAX_SENT = 50

export function sentComplaints(): SentComplaint[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(SENT_KEY) ?? '[]')
    if (!Array.isArray(parsed)) return []
    return parsed
      .filter(
        (item): item is SentComplaint => typeof item?.ticket_no === 'string' && typeof item?.tracking_code === 'string',
      )
      .map(({ ticket_no, tracking_code }) => ({ ticket_no, tracking_code }))
  } catch {
    return []
  }
}

/** Remember a receipt (newest first); storage may be unavailable (private mode): then nothing is kept. */
export function rememberComplaint(receipt: ComplaintReceipt): void {
  const kept = sentComplaints().filter(item => item.ticket_no !== receipt.ticket_no)
  const entry = { ticket_no: receipt.ticket_no, tracking_code: receipt.tracking_code }
  try {
    localStorage.setItem(SENT_KEY, JSON.stringify([entry, ...kept].slice(0, MAX_SENT)))
  } catch {
    // storage full or blocked: the receipt on screen is still there to copy
  }
}
