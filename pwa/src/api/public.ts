import type { QrLookup } from './types'
import { request } from './http'

/** Public view of a QR label; `device` is filled when the caller is signed in and in scope. */
export function lookupQr(token: string, signedIn: boolean): Promise<QrLookup> {
  return request<QrLookup>(`/api/qr/${encodeURIComponent(token)}`, { auth: signedIn })
}
