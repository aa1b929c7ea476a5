import { describe, expect, it } from 'vitest'
import { exifDateTimeOriginal, metaFor } from '@/presence/provenance'

/** A minimal big-endian JPEG whose EXIF holds DateTimeOriginal. */
function jpegWithExif(when: string): ArrayBuffer {
  const tiff: number[] = [0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]
  const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff]
  const u32 = (n: number) => [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]
  // IFD0 at 8: one entry, the pointer to the Exif IFD at 26
  tiff.push(...u16(1), ...u16(0x8769), ...u16(4), ...u32(1), ...u32(26), ...u32(0))
  // Exif IFD at 26: DateTimeOriginal, 20 ASCII bytes at 44
  tiff.push(...u16(1), ...u16(0x9003), ...u16(2), ...u32(20), ...u32(44), ...u32(0))
  tiff.push(...Array.from(when).map(c => c.charCodeAt(0)), 0)
  const app1 = [...Array.from('Exif').map(c => c.charCodeAt(0)), 0, 0, ...tiff]
  const bytes = [0xff, 0xd8, 0xff, 0xe1, ...u16(app1.length + 2), ...app1, 0xff, 0xd9]
  return new Uint8Array(bytes).buffer
}

describe('photo provenance', () => {
  it('reads the capture time from EXIF DateTimeOriginal', () => {
    const taken = exifDateTimeOriginal(jpegWithExif('2026:12:06 09:15:30'))
    expect(taken).toEqual(new Date(2026, 11, 6, 9, 15, 30))
  })

  it('gives no time for a file without EXIF or one that is not a JPEG', () => {
    expect(exifDateTimeOriginal(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]).buffer)).toBeNull()
    expect(exifDateTimeOriginal(new Uint8Array([0x89, 0x50, 0x4e, 0x47]).buffer)).toBeNull()
  })

  it('keeps the provenance of the photos still on the record, once each', () => {
    const meta = [
      { sha256: 'a', source: 'camera' as const, taken_at: null, geolocation: null },
      { sha256: 'b', source: 'gallery' as const, taken_at: null, geolocation: 'denied' as const },
      { sha256: 'a', source: 'gallery' as const, taken_at: null, geolocation: null },
    ]
    expect(metaFor(meta, ['a']).map(m => [m.sha256, m.source])).toEqual([['a', 'camera']])
  })
})
