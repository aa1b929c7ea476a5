// People of an enterprise (安全管理员、作业人员), their certificates and the regulators' verification queue.
// Online only: a certificate entered by an enterprise waits for a regulator to check it against its photo.
import type { Page } from './types'
import { request } from './http'
import { putPhoto } from './sync'

export type CertificateKind = 'safety_manager' | 'block_supervisor' | 'operator'
export type Verification = 'pending' | 'verified' | 'rejected'

export interface CertificateRecord {
  id: number
  kind: CertificateKind
  number: string
  issued_on: string | null
  expires_on: string | null
  valid: boolean
  photo_sha256: string | null
  verification: Verification
  verified_by: string
  verified_on: string | null
  rejection_reason: string
  replaces_id: number | null
  superseded_on: string | null
  counts: boolean
}

export interface TrainingRecord {
  id: number
  trained_on: string
  topic: string
  hours: number
  provider: string
  /** null: no assessment recorded */
  passed: boolean | null
}

export type TrainingInput = Omit<TrainingRecord, 'id'>

export interface PersonRecord {
  id: number
  name: string
  phone: string
  enterprise_id: number | null
  left_on: string | null
  certificates: CertificateRecord[]
  trainings: TrainingRecord[]
}

export interface QueueItem extends CertificateRecord {
  person_id: number
  person_name: string
  enterprise_id: number
  enterprise_name: string | null
  photo_url: string | null
  thumbnail_url: string | null
  created_at: string
}

export interface HistoryRow {
  at: string
  actor: string
  field: string
  before: unknown
  after: unknown
  reason: string
}

export interface CertificateInput {
  kind: CertificateKind
  number: string
  expires_on: string | null
  photo_sha256: string | null
  replaces_id?: number | null
}

export async function listPeople(enterpriseId: number | string): Promise<PersonRecord[]> {
  const page = await request<Page<PersonRecord>>('/api/people', {
    query: { enterprise_id: enterpriseId, per_page: 100 },
  })
  return page.items
}

export function updatePerson(
  id: number,
  body: { name?: string; phone?: string; left_on?: string | null },
): Promise<PersonRecord> {
  return request<PersonRecord>(`/api/people/${id}`, { method: 'PATCH', json: body })
}

export function createPerson(enterpriseId: number | string, name: string, phone: string): Promise<PersonRecord> {
  return request<PersonRecord>('/api/people', {
    method: 'POST',
    json: { name, phone, enterprise_id: Number(enterpriseId) },
  })
}

/** Upload the certificate photo first (idempotent), then the certificate that cites it. */
export async function addCertificate(
  personId: number,
  body: CertificateInput,
  photo: Blob | null,
): Promise<CertificateRecord> {
  if (photo && body.photo_sha256) await putPhoto(body.photo_sha256, photo)
  return request<CertificateRecord>(`/api/people/${personId}/certificates`, { method: 'POST', json: body })
}

/** A safety-training record (安全培训档案) of a person. */
export function addTraining(personId: number, body: TrainingInput): Promise<TrainingRecord> {
  return request<TrainingRecord>(`/api/people/${personId}/trainings`, { method: 'POST', json: body })
}

export async function listCertificates(verification: Verification, page = 1): Promise<Page<QueueItem>> {
  return request<Page<QueueItem>>('/api/certificates', { query: { verification, page, per_page: 20 } })
}

export function verifyCertificate(id: number): Promise<QueueItem> {
  return request<QueueItem>(`/api/certificates/${id}/verify`, { method: 'POST', json: {} })
}

export function rejectCertificate(id: number, reason: string): Promise<QueueItem> {
  return request<QueueItem>(`/api/certificates/${id}/reject`, { method: 'POST', json: { reason } })
}

/** Changes of a person and of their certificates and trainings, newest first. */
export function personHistory(id: number | string): Promise<HistoryRow[]> {
  return request<HistoryRow[]>(`/api/people/${encodeURIComponent(String(id))}/history`)
}

export function enterpriseHistory(id: number | string): Promise<HistoryRow[]> {
  return request<HistoryRow[]>(`/api/enterprises/${encodeURIComponent(String(id))}/history`)
}
