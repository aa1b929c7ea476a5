// Where a photo picker keeps the photos it is given. Records (hazards, checks, rectifications) keep them in
// IndexedDB so they survive being offline and reloads (see indexeddb-storage.ts); the anonymous public complaint
// page keeps them in memory only, so nothing is left on a stranger's phone. No Dexie import here: the public page
// must load without IndexedDB.
import type { CompressedPhoto } from '@/utils/photo-compress'
import { sha256Hex } from '@/utils/sha256'

export interface PhotoStorage {
  /** Keep a compressed photo (idempotent by content); resolves to its sha256. */
  keep(photo: CompressedPhoto): Promise<string>
  /** The bytes kept under this sha256, or null when this storage does not have them. */
  load(sha256: string): Promise<Blob | null>
  /** The user took the photo off the form. */
  discard(sha256: string): Promise<void>
}

export interface MemoryPhotoStorage extends PhotoStorage {
  /** Drop every photo (after the form was sent or left). */
  clear(): void
}

export function memoryPhotoStorage(): MemoryPhotoStorage {
  const blobs = new Map<string, Blob>()
  return {
    async keep(photo) {
      const sha256 = await sha256Hex(await photo.blob.arrayBuffer())
      blobs.set(sha256, photo.blob)
      return sha256
    },
    async load(sha256) {
      return blobs.get(sha256) ?? null
    },
    async discard(sha256) {
      blobs.delete(sha256)
    },
    clear() {
      blobs.clear()
    },
  }
}
