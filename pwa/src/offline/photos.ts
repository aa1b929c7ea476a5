// Photos: compression lives in utils/photo-compress (re-exported here); this module stores the bytes by sha256.
import type { PhotoRow } from './db'
import type { CompressedPhoto } from '@/utils/photo-compress'
import { db } from './db'
import { PhotoError, sha256Hex } from '@/utils/photo-compress'

export { compressPhoto, MAX_EDGE, PhotoError, QUALITY, sha256Hex, targetSize } from '@/utils/photo-compress'
export type { CompressedPhoto } from '@/utils/photo-compress'

export function photoBlob(row: PhotoRow): Blob {
  if (row.blob && typeof row.blob.arrayBuffer === 'function') return row.blob
  return new Blob([row.bytes ?? new ArrayBuffer(0)], { type: row.type })
}

/** Read a stored photo back and check its hash (browsers have lost Blobs in IndexedDB silently). */
async function readsBack(sha256: string): Promise<PhotoRow | null> {
  const row = await db.photos.get(sha256)
  if (!row) return null
  try {
    const bytes = await photoBlob(row).arrayBuffer()
    return (await sha256Hex(bytes)) === sha256 ? row : null
  } catch {
    return null
  }
}

/** Store the bytes under their sha256 (idempotent), verify, and fall back to an ArrayBuffer copy. */
export async function storePhoto(userId: string, photo: CompressedPhoto): Promise<PhotoRow> {
  const bytes = await photo.blob.arrayBuffer()
  const sha256 = await sha256Hex(bytes)
  const existing = await readsBack(sha256)
  if (existing) return existing
  const base: PhotoRow = {
    sha256,
    user_id: userId,
    type: photo.blob.type || 'image/jpeg',
    size: bytes.byteLength,
    width: photo.width,
    height: photo.height,
    state: 'pending',
    error: null,
    created_at: new Date().toISOString(),
  }
  try {
    await db.photos.put({ ...base, blob: photo.blob })
    const back = await readsBack(sha256)
    if (back) return back
  } catch {
    // Blob storage refused (private mode, old WebKit): store the bytes instead
  }
  await db.photos.put({ ...base, bytes })
  const back = await readsBack(sha256)
  if (!back) throw new PhotoError('store_failed', 'The photo was not saved')
  return back
}

export async function loadPhotoBlob(sha256: string): Promise<Blob | null> {
  const row = await db.photos.get(sha256)
  return row ? photoBlob(row) : null
}

const PHOTO_GRACE_MS = 7 * 24 * 3600 * 1000

/**
 * Free the bytes of photos the server has had for a week and no queued op still cites.
 * (Kept that long so the phone can still show its own recent photos offline.)
 */
export async function pruneUploadedPhotos(now = Date.now()): Promise<number> {
  return db.transaction('rw', db.photos, db.outbox, async () => {
    const cited = new Set((await db.outbox.toArray()).flatMap(i => i.photos))
    const old = await db.photos
      .where('state')
      .equals('uploaded')
      .filter(p => !cited.has(p.sha256) && now - Date.parse(p.created_at) > PHOTO_GRACE_MS)
      .primaryKeys()
    await db.photos.bulkDelete(old)
    return old.length
  })
}
