// A device's "last check" as the phone knows it: the server's, or a newer one still waiting in the outbox.
import type { CheckSubmit, LastCheck } from '@/api/types'
import type { OutboxItem } from './db'

export interface ShownCheck extends LastCheck {
  /** submitted on this phone, not yet uploaded */
  queued: boolean
}

function resultOf(check: CheckSubmit): LastCheck['result'] {
  return check.items.some(i => i.result === 'fail') ? 'fail' : 'pass'
}

/** The newest pending check in `outbox` that `matches` (e.g. this device's self-checks). */
export function newestQueued(
  outbox: readonly OutboxItem[],
  matches: (check: CheckSubmit) => boolean,
): LastCheck | null {
  let newest: LastCheck | null = null
  for (const item of outbox) {
    if (item.type !== 'check.submit' || item.state !== 'pending') continue
    const check = item.payload as CheckSubmit
    if (!matches(check)) continue
    if (!newest || check.performed_on >= newest.on) newest = { on: check.performed_on, result: resultOf(check) }
  }
  return newest
}

/** What the page shows: the queued check when it is as new as the server's or newer (same day: the phone's
 * is the later one, the server does not have it yet). */
export function lastCheckShown(server: LastCheck | null | undefined, queued: LastCheck | null): ShownCheck | null {
  if (queued && (!server || queued.on >= server.on)) return { ...queued, queued: true }
  return server ? { ...server, queued: false } : null
}

export function isSelfCheckOf(deviceId: number | string): (check: CheckSubmit) => boolean {
  return check => check.kind === 'self_check' && String(check.device_id) === String(deviceId)
}

export function isMutualCheckOf(enterpriseId: number | string): (check: CheckSubmit) => boolean {
  return check => check.kind === 'mutual_check' && String(check.enterprise_id) === String(enterpriseId)
}
