import type { PhotoUploadResult, PullResponse, PushOp, PushResult } from './types'
import { request } from './http'

export function pushOps(ops: PushOp[]): Promise<{ results: PushResult[] }> {
  return request('/api/sync/push', { method: 'POST', json: { ops } })
}

export function pullChanges(cursor: string | null): Promise<PullResponse> {
  return request<PullResponse>('/api/sync/pull', { query: { cursor } })
}

export function putPhoto(sha256: string, blob: Blob): Promise<PhotoUploadResult> {
  return request<PhotoUploadResult>(`/api/photos/${sha256}`, {
    method: 'PUT',
    body: blob,
    headers: { 'Content-Type': blob.type || 'image/jpeg' },
  })
}
