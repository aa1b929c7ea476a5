// The sync runner: photos first, then ops in batches, then pull. Runs in the page, one round at a time.
import type { OutboxItem } from './db'
import type { PushResult } from '@/api/types'
import { ApiError } from '@/api/http'
import { pushOps, putPhoto } from '@/api/sync'
import { applyCheckResult } from './checks'
import { cursorKey, db, getMeta, lastSyncKey, setMeta } from './db'
import { refreshHazardMark } from './outbox'
import { photoBlob, pruneUploadedPhotos } from './photos'
import { pullAll } from './pull'

export type SyncPhase = 'idle' | 'photos' | 'push' | 'pull'
export type SyncOutcome = 'ok' | 'offline' | 'retry' | 'auth' | 'no_user' | 'busy'

export interface SyncStatus {
  phase: SyncPhase
  progress: { done: number; total: number }
  lastSyncAt: string | null
  lastError: string | null
  /** ApiError code of the last failure (network_error, http_503, …) so the UI can word it */
  lastErrorCode: string | null
  authPaused: boolean
  failures: number
  nextRetryAt: number | null
}

export interface SyncDeps {
  getUserId: () => string | null
  onStatus?: (status: SyncStatus) => void
  batchSize?: number
  random?: () => number
  /** Seconds between pulls while everything is fine. */
  idlePullSeconds?: number
  /**
   * Fetch the user's own tasks into the local copy. Run beside the first full download (no cursor yet), so the
   * home has the person's work before the whole scope has come down; its failure never fails the round.
   */
  ownTasksFirst?: (userId: string) => Promise<unknown>
}

const PERMANENT_PHOTO_CODES = new Set([400, 413, 415, 422])

/** Exponential backoff with jitter: 2, 4, 8 … s, capped at 5 minutes. */
export function backoffDelay(failures: number, random: () => number = Math.random): number {
  const base = Math.min(1000 * 2 ** Math.max(1, failures), 300_000)
  return Math.round(base * (0.8 + 0.4 * random()))
}

export class SyncEngine {
  status: SyncStatus = {
    phase: 'idle',
    progress: { done: 0, total: 0 },
    lastSyncAt: null,
    lastError: null,
    lastErrorCode: null,
    authPaused: false,
    failures: 0,
    nextRetryAt: null,
  }

  private running: Promise<SyncOutcome> | null = null
  private again = false
  private timer: ReturnType<typeof setTimeout> | null = null
  private listeners: Array<() => void> = []
  /** whose persisted last-sync time the status shows */
  private restoredFor: string | null = null

  constructor(private readonly deps: SyncDeps) {}

  private emit(patch: Partial<SyncStatus>): void {
    this.status = { ...this.status, ...patch }
    this.deps.onStatus?.(this.status)
  }

  /** Run a round now; a call during a round schedules one more round right after it. */
  syncNow(): Promise<SyncOutcome> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = this.runExclusive().finally(() => {
      this.running = null
      if (this.again) {
        this.again = false
        void this.syncNow()
      }
    })
    return this.running
  }

  private async runExclusive(): Promise<SyncOutcome> {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined
    if (!locks) return this.round()
    return locks.request('sesv-sync', { ifAvailable: true }, lock => (lock ? this.round() : ('busy' as const)))
  }

  /** Called after a new login: unpause and go. */
  resume(): Promise<SyncOutcome> {
    this.emit({ authPaused: false, lastError: null, lastErrorCode: null, failures: 0, nextRetryAt: null })
    return this.syncNow()
  }

  pauseForAuth(): void {
    this.clearTimer()
    this.emit({ authPaused: true, phase: 'idle', nextRetryAt: null })
  }

  private async round(): Promise<SyncOutcome> {
    const userId = this.deps.getUserId()
    if (!userId) return 'no_user'
    if (this.status.authPaused) return 'auth'
    this.clearTimer()
    await this.restoreLastSync(userId)
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      this.emit({ phase: 'idle', lastError: null })
      return 'offline'
    }
    const ownTasks = this.ownTasksFirst(userId).catch(() => undefined)
    try {
      await this.uploadPhotos(userId)
      await this.pushAll(userId)
      this.emit({ phase: 'pull', progress: { done: 0, total: 0 } })
      // the total is unknown until `more` is false: progress counts the changes applied so far
      await pullAll(userId, applied => this.emit({ progress: { done: applied, total: 0 } }))
      await ownTasks
      await pruneUploadedPhotos()
      const at = new Date().toISOString()
      await setMeta(lastSyncKey(userId), at)
      this.emit({
        phase: 'idle',
        lastSyncAt: at,
        lastError: null,
        lastErrorCode: null,
        failures: 0,
        nextRetryAt: null,
      })
      this.schedule((this.deps.idlePullSeconds ?? 300) * 1000, false)
      return 'ok'
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized) {
        this.pauseForAuth()
        return 'auth'
      }
      const failures = this.status.failures + 1
      const delay = backoffDelay(failures, this.deps.random)
      this.emit({
        phase: 'idle',
        failures,
        lastError: (err as Error).message || String(err),
        lastErrorCode: err instanceof ApiError ? err.code : 'client_error',
      })
      this.schedule(delay, true)
      return 'retry'
    }
  }

  /** The first download only: later rounds are small, and the home refreshes its own tasks itself. */
  private async ownTasksFirst(userId: string): Promise<void> {
    if (!this.deps.ownTasksFirst || (await getMeta<string>(cursorKey(userId))) !== undefined) return
    await this.deps.ownTasksFirst(userId)
  }

  /** After a reload (offline too) the bar says when this user's copy was last synced, not "never". */
  private async restoreLastSync(userId: string): Promise<void> {
    if (this.restoredFor === userId) return
    this.restoredFor = userId
    const at = (await getMeta<string>(lastSyncKey(userId)).catch(() => undefined)) ?? null
    this.emit({ lastSyncAt: at })
  }

  private async uploadPhotos(userId: string): Promise<void> {
    const items = await db.outbox
      .where('user_id')
      .equals(userId)
      .filter(i => i.state === 'pending')
      .toArray()
    // a cited photo missing on this phone (evicted storage) is not blocking: the server decides on the op
    const wanted = [...new Set(items.flatMap(i => i.photos))]
    const rows = (await db.photos.bulkGet(wanted)).filter(r => r !== undefined && r.state === 'pending')
    this.emit({ phase: 'photos', progress: { done: 0, total: rows.length } })
    let done = 0
    for (const row of rows) {
      if (!row) continue
      try {
        await putPhoto(row.sha256, photoBlob(row))
        await db.photos.update(row.sha256, { state: 'uploaded', error: null })
      } catch (err) {
        if (!(err instanceof ApiError) || err.transient || err.unauthorized) throw err
        if (!PERMANENT_PHOTO_CODES.has(err.status)) throw err
        await db.photos.update(row.sha256, { state: 'failed', error: err.message })
        await this.markPhotoFailure(items, row.sha256, err)
      }
      done += 1
      this.emit({ progress: { done, total: rows.length } })
    }
  }

  private async markPhotoFailure(items: OutboxItem[], sha: string, err: ApiError): Promise<void> {
    const affected = items.filter(i => i.photos.includes(sha))
    await db.transaction('rw', db.outbox, db.hazards, async () => {
      for (const item of affected) {
        await db.outbox.update(item.seq!, {
          state: 'attention',
          error: { code: err.code, message: err.message },
          updated_at: new Date().toISOString(),
        })
        await refreshHazardMark(item.entity_id)
      }
    })
  }

  private async pushAll(userId: string): Promise<void> {
    const size = this.deps.batchSize ?? 20
    const sent = new Set<string>()
    this.emit({ phase: 'push' })
    for (;;) {
      const batch = (await db.outbox.where('user_id').equals(userId).sortBy('seq'))
        .filter(i => i.state === 'pending' && !sent.has(i.op_id))
        .slice(0, size)
      if (batch.length === 0) return
      batch.forEach(i => sent.add(i.op_id))
      await db.outbox.bulkUpdate(batch.map(i => ({ key: i.seq!, changes: { attempts: i.attempts + 1 } })))
      const res = await pushOps(batch.map(i => ({ op_id: i.op_id, type: i.type, payload: i.payload })))
      if (!Array.isArray(res?.results)) throw new ApiError(0, 'bad_response', 'Unexpected push response')
      await this.applyResults(batch, res.results)
    }
  }

  private async applyResults(batch: OutboxItem[], results: PushResult[]): Promise<void> {
    const byOp = new Map(results.map(r => [r.op_id, r]))
    await db.transaction('rw', db.outbox, db.hazards, db.meta, async () => {
      for (const item of batch) {
        const result = byOp.get(item.op_id)
        if (!result) continue // no answer for this op: stays pending, resent next round with the same op_id
        const held = result.status === 'applied' || result.status === 'duplicate'
        if (held) {
          await db.outbox.delete(item.seq!)
        } else {
          await db.outbox.update(item.seq!, {
            state: 'attention',
            error: result.error ?? { code: result.status, message: result.status },
            updated_at: new Date().toISOString(),
          })
        }
        await refreshHazardMark(item.entity_id)
        await applyCheckResult(item, held)
      }
    })
  }

  private schedule(delayMs: number, isRetry: boolean): void {
    this.clearTimer()
    this.emit({ nextRetryAt: isRetry ? Date.now() + delayMs : null })
    this.timer = setTimeout(() => {
      this.timer = null
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') void this.syncNow()
    }, delayMs)
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  /** Wire the triggers: now, `online`, tab visible again. The backoff timer is armed by each round. */
  start(): void {
    const onOnline = () => void this.syncNow()
    const onVisible = () => {
      if (document.visibilityState === 'visible') void this.syncNow()
    }
    window.addEventListener('online', onOnline)
    document.addEventListener('visibilitychange', onVisible)
    this.listeners.push(
      () => window.removeEventListener('online', onOnline),
      () => document.removeEventListener('visibilitychange', onVisible),
    )
    void this.syncNow()
  }

  stop(): void {
    this.clearTimer()
    this.listeners.forEach(off => off())
    this.listeners = []
  }
}
