// Zones (辖区), blocks (区块) and new enterprises: the structure a bureau builds before anyone can work.
import type { EnterpriseRecord } from './enterprises'
import type { Page } from './types'
import { request } from './http'

export interface Zone {
  id: number
  name: string
  code: string
}

export interface Block {
  id: number
  zone_id: number
  zone_name: string
  name: string
  /** a block holds 5–10 enterprises (seed 001) */
  enterprise_count: number
  warning: string | null
}

export type EnterpriseRole = 'user' | 'producer' | 'maintainer'
export const ENTERPRISE_ROLES: EnterpriseRole[] = ['user', 'producer', 'maintainer']

export interface EnterpriseDraft {
  name: string
  credit_code: string
  zone_id: number | null
  block_id: number | null
  address: string
  roles: EnterpriseRole[]
  contact_phone: string
}

/** The zones the caller may see (an inspector: their own). */
export async function listZones(): Promise<Zone[]> {
  return (await request<Page<Zone>>('/api/zones', { query: { per_page: 100 } })).items
}

export function createZone(zone: { name: string; code: string }): Promise<Zone> {
  return request<Zone>('/api/zones', { method: 'POST', json: zone })
}

export async function listZoneBlocks(zoneId?: number | null): Promise<Block[]> {
  return (await request<Page<Block>>('/api/blocks', { query: { zone_id: zoneId ?? undefined, per_page: 100 } })).items
}

/** The zone's enterprises that belong to no block yet. */
export function listUnblocked(zoneId: number): Promise<Page<EnterpriseRecord>> {
  return request<Page<EnterpriseRecord>>(`/api/zones/${zoneId}/unblocked-enterprises`, { query: { per_page: 100 } })
}

export function createBlock(block: { zone_id: number | null; name: string }): Promise<Block> {
  return request<Block>('/api/blocks', { method: 'POST', json: block })
}

export function createEnterprise(draft: EnterpriseDraft): Promise<EnterpriseRecord> {
  return request<EnterpriseRecord>('/api/enterprises', { method: 'POST', json: draft })
}
