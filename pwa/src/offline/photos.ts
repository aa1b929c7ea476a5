// Photos: compress in the browser (never a canvas larger than the target), hash, store the bytes.
import type { PhotoRow } from './db'
import { db } from './db'

export const MAX_EDGE = 1600
export const QUALITY = 0.75

export class PhotoError extends Error {
  constructor(public readonly code: 'decode_failed' | 'encode_failed' | 'blank_image' | 'store_failed', message: string) {
    super(message)
    this.name = 'PhotoError'
  }
}

export function targetSize(width: number, height: number, maxEdge = MAX_EDGE): { width: number, height: number } {
  const scale = Math.min(1, maxEdge / Math.max(width, height))
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

async function decodeScaled(file: Blob): Promise<{ source: CanvasImageSource, width: number, height: number, close: () => void }> {
  if (typeof createImageBitmap === 'function') {
    try {
      const probe = await createImageBitmap(file, { imageOrientation: 'from-image' })
      const size = targetSize(probe.width, probe.height)
      probe.close()
      const bmp = await createImageBitmap(file, {
        imageOrientation: 'from-image',
        resizeWidth: size.width,
        resizeHeight: size.height,
        resizeQuality: 'high',
      })
      return { source: bmp, ...size, close: () => bmp.close() }
    }
    catch {
      // older Safari: no resize options; use an <img> below
    }
  }
  const url = URL.createObjectURL(file)
  try {
    const img = new Image()
    img.decoding = 'async'
    img.src = url
    await img.decode()
    const size = targetSize(img.naturalWidth, img.naturalHeight)
    return { source: img, ...size, close: () => URL.revokeObjectURL(url) }
  }
  catch {
    URL.revokeObjectURL(url)
    throw new PhotoError('decode_failed', 'Cannot read this image')
  }
}

/** True when every sampled pixel is the same colour (a failed draw gives all-black or all-transparent). */
function looksBlank(ctx: CanvasRenderingContext2D, width: number, height: number): boolean {
  const { data } = ctx.getImageData(0, 0, width, height)
  const stride = Math.max(4, Math.floor(data.length / 4 / 400) * 4)
  const [r, g, b, a] = [data[0], data[1], data[2], data[3]]
  if (a === 0) return true
  for (let i = stride; i < data.length; i += stride) {
    if (data[i] !== r || data[i + 1] !== g || data[i + 2] !== b) return false
  }
  return true
}

export interface CompressedPhoto {
  blob: Blob
  width: number
  height: number
}

export async function compressPhoto(file: Blob): Promise<CompressedPhoto> {
  const decoded = await decodeScaled(file)
  try {
    const canvas = document.createElement('canvas')
    canvas.width = decoded.width
    canvas.height = decoded.height
    const ctx = canvas.getContext('2d', { willReadFrequently: true })
    if (!ctx) throw new PhotoError('encode_failed', 'Canvas is not available')
    ctx.fillStyle = '#fff'
    ctx.fillRect(0, 0, decoded.width, decoded.height)
    ctx.drawImage(decoded.source, 0, 0, decoded.width, decoded.height)
    if (looksBlank(ctx, decoded.width, decoded.height)) throw new PhotoError('blank_image', 'The photo came out blank')
    const blob = await new Promise<Blob | null>(resolve => canvas.toBlob(resolve, 'image/jpeg', QUALITY))
    if (!blob || blob.size < 500) throw new PhotoError('encode_failed', 'Could not encode the photo')
    return { blob, width: decoded.width, height: decoded.height }
  }
  finally {
    decoded.close()
  }
}

export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(data))
  return Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, '0')).join('')
}

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
  }
  catch {
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
  }
  catch {
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
    const old = await db.photos.where('state').equals('uploaded')
      .filter(p => !cited.has(p.sha256) && now - Date.parse(p.created_at) > PHOTO_GRACE_MS)
      .primaryKeys()
    await db.photos.bulkDelete(old)
    return old.length
  })
}
