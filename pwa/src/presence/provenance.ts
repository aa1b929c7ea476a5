// Proof of presence gathered on the phone: where a photo came from (the in-app camera or the gallery), when it was
// taken, and where the phone was. Nothing here ever blocks the user: a denied or failing location is recorded as
// "denied" / "unavailable" and the record goes on.

export interface Fix {
  lat: number
  lng: number
  accuracy_m: number
}

/** What the phone said about its place: a fix, or why there is none. */
export type Geolocation = Fix | 'denied' | 'unavailable'

export type PhotoSource = 'camera' | 'gallery'

/** Provenance of one photo, sent with the record in `photo_meta`. */
export interface PhotoMeta {
  sha256: string
  source: PhotoSource
  taken_at: string | null
  geolocation: Geolocation | null
}

/** A device label scanned during the visit. */
export interface Scan {
  token: string
  at: string
}

const FIX_TIMEOUT_MS = 8000
/** a fix this old is still where the user is standing */
const FIX_MAX_AGE_MS = 60_000

/** The phone's position, or why there is none; resolves within the timeout, never rejects. */
export function currentGeolocation(timeoutMs = FIX_TIMEOUT_MS): Promise<Geolocation> {
  if (typeof navigator === 'undefined' || !navigator.geolocation) return Promise.resolve('unavailable')
  return new Promise(resolve => {
    const guard = setTimeout(() => resolve('unavailable'), timeoutMs + 500)
    navigator.geolocation.getCurrentPosition(
      pos => {
        clearTimeout(guard)
        resolve({
          lat: Math.round(pos.coords.latitude * 1e6) / 1e6,
          lng: Math.round(pos.coords.longitude * 1e6) / 1e6,
          accuracy_m: Math.round(pos.coords.accuracy * 10) / 10,
        })
      },
      err => {
        clearTimeout(guard)
        resolve(err.code === err.PERMISSION_DENIED ? 'denied' : 'unavailable')
      },
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: FIX_MAX_AGE_MS },
    )
  })
}

/** EXIF DateTimeOriginal ("YYYY:MM:DD HH:MM:SS", the camera's local time) of a JPEG, or null. */
export function exifDateTimeOriginal(bytes: ArrayBuffer): Date | null {
  const view = new DataView(bytes)
  if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return null
  let offset = 2
  while (offset + 4 <= view.byteLength) {
    const marker = view.getUint16(offset)
    const size = view.getUint16(offset + 2)
    if (marker === 0xffe1 && readAscii(view, offset + 4, 4) === 'Exif') return readExif(view, offset + 10)
    if ((marker & 0xff00) !== 0xff00 || size < 2) return null
    offset += 2 + size
  }
  return null
}

function readAscii(view: DataView, start: number, length: number): string {
  let s = ''
  for (let i = 0; i < length && start + i < view.byteLength; i++) {
    const c = view.getUint8(start + i)
    if (c === 0) break
    s += String.fromCharCode(c)
  }
  return s
}

const EXIF_IFD_POINTER = 0x8769
const DATE_TIME_ORIGINAL = 0x9003

function readExif(view: DataView, tiff: number): Date | null {
  if (tiff + 8 > view.byteLength) return null
  const little = view.getUint16(tiff) === 0x4949
  const u16 = (at: number): number => view.getUint16(at, little)
  const u32 = (at: number): number => view.getUint32(at, little)
  const entry = (ifd: number, tag: number): number | null => {
    if (ifd + 2 > view.byteLength) return null
    const count = u16(ifd)
    for (let i = 0; i < count; i++) {
      const at = ifd + 2 + i * 12
      if (at + 12 > view.byteLength) return null
      if (u16(at) === tag) return at
    }
    return null
  }
  const pointer = entry(tiff + u32(tiff + 4), EXIF_IFD_POINTER)
  if (pointer === null) return null
  const found = entry(tiff + u32(pointer + 8), DATE_TIME_ORIGINAL)
  if (found === null) return null
  const text = readAscii(view, tiff + u32(found + 8), 19)
  const m = text.match(/^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/)
  if (!m) return null
  const date = new Date(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
  return Number.isNaN(date.getTime()) ? null : date
}

/** When the photo was taken: its EXIF DateTimeOriginal when present, else the file's lastModified. */
export async function captureTime(file: File): Promise<string | null> {
  try {
    const head = await file.slice(0, 128 * 1024).arrayBuffer()
    const exif = exifDateTimeOriginal(head)
    if (exif) return exif.toISOString()
  } catch {
    // unreadable head: fall back to the file's time
  }
  return file.lastModified ? new Date(file.lastModified).toISOString() : null
}

/** Keep only the provenance of photos still on the record (a removed photo's entry goes). */
export function metaFor(meta: PhotoMeta[], photos: string[]): PhotoMeta[] {
  const kept = new Set(photos)
  const seen = new Set<string>()
  return meta.filter(m => kept.has(m.sha256) && !seen.has(m.sha256) && seen.add(m.sha256))
}
