// Storage refusals worth their own wording: the phone is out of space for this site.

/** IndexedDB refused a write for lack of space. Dexie wraps the DOMException (`inner`), so look through it. */
export function isQuotaError(err: unknown): boolean {
  let e = err as { name?: string; code?: number; inner?: unknown; cause?: unknown } | null | undefined
  for (let depth = 0; e && depth < 5; depth++) {
    if (e.name === 'QuotaExceededError' || e.code === 22) return true
    e = (e.inner ?? e.cause) as typeof e
  }
  return false
}
