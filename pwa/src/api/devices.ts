import type { Device, PositionLabel } from './types'
import { request, requestRaw } from './http'

export function fetchDevice(id: number | string): Promise<Device> {
  return request<Device>(`/api/devices/${encodeURIComponent(String(id))}`)
}

/** Issue (or re-issue: the old token stops resolving) the label at one position of the device. */
export function issuePositionLabel(deviceId: number | string, position: string): Promise<PositionLabel> {
  return request<PositionLabel>(`/api/devices/${encodeURIComponent(String(deviceId))}/labels`, {
    method: 'POST',
    json: { position },
  })
}

/** Take one position's label out of use. */
export function revokePositionLabel(deviceId: number | string, position: string): Promise<void> {
  const path = `/api/devices/${encodeURIComponent(String(deviceId))}/labels/${encodeURIComponent(position)}`
  return request<void>(path, { method: 'DELETE' })
}

/** The printable label image (QR code with category, number, enterprise and position), fetched with the token. */
export async function fetchLabelImage(deviceId: number | string, position: string | null): Promise<Blob> {
  const path = `/api/devices/${encodeURIComponent(String(deviceId))}/label.png`
  return (await requestRaw(path, { query: position ? { position } : {} })).blob()
}

/** Register (or clear, with nulls) the device's place: field records are compared with it (regulators only). */
export function setDevicePlace(
  deviceId: number | string,
  place: { latitude: number | null; longitude: number | null },
): Promise<Device> {
  return request<Device>(`/api/devices/${encodeURIComponent(String(deviceId))}`, { method: 'PATCH', json: place })
}
