// Photo compression in the browser (never a canvas larger than the target) and hashing. No IndexedDB here:
// the public complaint page uses it without Dexie or a service worker; offline/photos.ts stores the result.
export const MAX_EDGE = 1600
export const QUALITY = 0.75

export class PhotoError extends Error {
  constructor(
    public readonly code: 'decode_failed' | 'encode_failed' | 'blank_image' | 'store_failed',
    message: string,
  ) {
    super(message)
    this.name = 'PhotoError'
  }
}

export function targetSize(width: number, height: number, maxEdge = MAX_EDGE): { width: number; height: number } {
  const scale = Math.min(1, maxEdge / Math.max(width, height))
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

async function decodeScaled(
  file: Blob,
): Promise<{ source: CanvasImageSource; width: number; height: number; close: () => void }> {
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
    } catch {
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
  } catch {
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
  } finally {
    decoded.close()
  }
}

export { sha256Hex } from './sha256'
