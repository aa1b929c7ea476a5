import type { QrLookup } from './types'
import { request } from './http'

/** Public view of a QR label; `device` is filled when the caller is signed in and in scope. */
export function lookupQr(token: string, signedIn: boolean): Promise<QrLookup> {
  return request<QrLookup>(`/api/qr/${encodeURIComponent(token)}`, { auth: signedIn })
}

export type LookupOutcome = { ok: true; value: QrLookup } | { ok: false; error: unknown }

interface PrimedLookup {
  promise: Promise<LookupOutcome>
  /** set once the answer is in: the screen can draw with it at once */
  settled?: LookupOutcome
}

const primed = new Map<string, PrimedLookup>()

/** The anonymous lookup of a label, as an outcome (never rejects). */
export function anonymousLookup(token: string): Promise<LookupOutcome> {
  return lookupQr(token, false).then(
    value => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  )
}

/**
 * Issue 25: the complaint form drew its spinner first and the whole form only when the label's device answered,
 * a long render after the first paint (most of the page's blocking time) and the largest paint one round trip
 * later. Its route starts the lookup and waits for it, at most `waitMs` (a slow answer: the form shows its
 * loading state as before), so the screen draws once, device and all.
 */
export async function primeAnonymousLookup(token: string, waitMs: number): Promise<void> {
  const entry: PrimedLookup = { promise: anonymousLookup(token) }
  void entry.promise.then(outcome => {
    entry.settled = outcome
  })
  primed.set(token, entry)
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<void>(resolve => {
    timer = setTimeout(resolve, waitMs)
  })
  await Promise.race([entry.promise, timeout])
  clearTimeout(timer)
}

/** The lookup the route primed for `token`, taken once (a retry or a later visit asks afresh). */
export function takePrimedLookup(token: string): PrimedLookup | undefined {
  const entry = primed.get(token)
  primed.delete(token)
  return entry
}
