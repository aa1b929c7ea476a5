import type { Hazard } from './types'
import { request } from './http'

export function fetchHazard(id: string): Promise<Hazard> {
  return request<Hazard>(`/api/hazards/${encodeURIComponent(id)}`)
}

/** A regulator confirms a block peer's mutual-check finding, so it counts in the credit grade. */
export function confirmHazard(id: string): Promise<Hazard> {
  return request<Hazard>(`/api/hazards/${encodeURIComponent(id)}/confirm`, { method: 'POST', json: {} })
}
