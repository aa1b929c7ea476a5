// Photo storage for records: IndexedDB by sha256, read back and verified (offline/photos.ts), kept for the outbox.
import type { PhotoStorage } from './storage'
import { loadPhotoBlob, storePhoto } from '@/offline/photos'

export function indexedDbPhotoStorage(userId: string): PhotoStorage {
  return {
    async keep(photo) {
      return (await storePhoto(userId, photo)).sha256
    },
    load: loadPhotoBlob,
    // Kept: a saved draft or a queued op may still cite the same bytes; pruneUploadedPhotos frees uploaded ones.
    async discard() {},
  }
}
