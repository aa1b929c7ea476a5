import type { Device } from './types'
import { request } from './http'

export function fetchDevice(id: number | string): Promise<Device> {
  return request<Device>(`/api/devices/${encodeURIComponent(String(id))}`)
}
