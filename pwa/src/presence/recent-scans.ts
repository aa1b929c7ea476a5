// The labels scanned on this phone, by device, so that scanning a label starts a check already: the check form of
// that device picks the scan up. Kept in sessionStorage (this tab's visit), never longer than a visit lasts.
import type { Scan } from './provenance'

const KEY = 'sesv.recent-scans'
/** a scan older than this belongs to another visit */
const VISIT_MS = 4 * 60 * 60 * 1000

type Store = Record<string, Scan[]>

function read(): Store {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Store
  } catch {
    return {}
  }
}

export function rememberScan(deviceId: string | number, token: string, at = new Date()): void {
  const store = read()
  const scans = (store[String(deviceId)] ?? []).concat({ token, at: at.toISOString() })
  store[String(deviceId)] = scans.slice(-20)
  try {
    sessionStorage.setItem(KEY, JSON.stringify(store))
  } catch {
    // storage full or blocked: the scan is simply not carried over
  }
}

/** This visit's scans of the device (oldest first). */
export function recentScans(deviceId: string | number, now = Date.now()): Scan[] {
  return (read()[String(deviceId)] ?? []).filter(s => now - Date.parse(s.at) < VISIT_MS)
}

export function forgetScans(deviceId: string | number): void {
  const store = read()
  delete store[String(deviceId)]
  try {
    sessionStorage.setItem(KEY, JSON.stringify(store))
  } catch {
    // nothing to do
  }
}
