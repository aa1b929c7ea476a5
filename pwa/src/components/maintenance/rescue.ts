// 困人救援 on an urgent order: the rescue clock (from the report to the worker's first scan, against the local limit)
// and the release time the worker records. Pure, so the phone checks it in the shaft without signal and the rules
// are unit-tested; the server counts the same minutes (maintenance.rules.rescue) and refuses a release before arrival.

/** The limit when the order carries none (the server's rules.DEFAULT_RESCUE_LIMIT_MINUTES). */
export const DEFAULT_RESCUE_LIMIT_MINUTES = 30

export type ReleaseProblem = 'required' | 'invalid' | 'beforeArrival' | 'future'

/** The message of each problem (i18n key; `beforeArrival` takes the arrival time as `at`). */
export const RELEASE_PROBLEM_TEXT: Record<ReleaseProblem, string> = {
  required: 'maintenance.needRelease',
  invalid: 'maintenance.releaseInvalid',
  beforeArrival: 'maintenance.releaseBeforeArrival',
  future: 'maintenance.releaseFuture',
}

/** Whole minutes from `from` to `to`, never negative (the server's rules.minutes_between). */
export function minutesBetween(from: string | Date, to: string | Date): number {
  const ms = new Date(to).getTime() - new Date(from).getTime()
  return Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 60_000)) : 0
}

export interface RescueClock {
  /** minutes since the report: to the first scan once the worker arrived, else to now */
  elapsed: number
  /** minutes left before the limit while nobody has arrived (0 once it passed) */
  left: number
  arrived: boolean
  /** arrival after the limit, or no arrival and the limit passed */
  late: boolean
}

/** Where the rescue stands at `now`: arrival is the first label scan, as the server grades it. */
export function rescueClock(
  reportedAt: string,
  limitMinutes: number,
  arrivedAt: string | null,
  now: Date,
): RescueClock {
  const elapsed = minutesBetween(reportedAt, arrivedAt ?? now)
  return {
    elapsed,
    left: arrivedAt ? 0 : Math.max(0, limitMinutes - elapsed),
    arrived: !!arrivedAt,
    late: elapsed > limitMinutes,
  }
}

/**
 * What is wrong with the release time of a trapped order's record, or null: it is required, must be a time, must not
 * be before the first scan (the server refuses that too) and not after `now` (a time that has not happened yet).
 */
export function releaseProblem(
  releasedAt: string | null | undefined,
  firstScanAt: string | null | undefined,
  now: Date,
): ReleaseProblem | null {
  if (!releasedAt) return 'required'
  const at = new Date(releasedAt).getTime()
  if (Number.isNaN(at)) return 'invalid'
  if (firstScanAt && at < new Date(firstScanAt).getTime()) return 'beforeArrival'
  if (at > now.getTime()) return 'future'
  return null
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** An instant as a datetime-local input's value on this phone ('2026-12-07T18:40:05'). */
export function toLocalInput(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
  return `${day}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** A datetime-local input's value (this phone's time zone) as an ISO instant; null when empty or not a time. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null
  const d = new Date(value)
  return Number.isNaN(d.getTime()) ? null : d.toISOString()
}
