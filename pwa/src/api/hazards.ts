import type { Hazard } from './types'
import { request } from './http'

export function fetchHazard(id: string): Promise<Hazard> {
  return request<Hazard>(`/api/hazards/${encodeURIComponent(id)}`)
}
