import type { CompressedPhoto } from '@/utils/photo-compress'
import { beforeEach, describe, expect, it } from 'vitest'
import { db } from '@/offline/db'
import { indexedDbPhotoStorage } from '@/photos/indexeddb-storage'
import { memoryPhotoStorage } from '@/photos/storage'
import { sha256Hex } from '@/utils/photo-compress'
import { resetDb } from './helpers'

function jpegLike(seed: number): CompressedPhoto {
  const bytes = new Uint8Array(2048).map((_, i) => (i * seed) % 251)
  return { blob: new Blob([bytes], { type: 'image/jpeg' }), width: 32, height: 32 }
}

async function bytesOf(blob: Blob | null): Promise<number[]> {
  expect(blob).not.toBeNull()
  return Array.from(new Uint8Array(await blob!.arrayBuffer()))
}

describe('IndexedDB photo storage (records)', () => {
  beforeEach(resetDb)

  it('keeps a photo under the sha256 of its bytes, for this user, pending upload', async () => {
    const photo = jpegLike(3)
    const sha = await indexedDbPhotoStorage('7').keep(photo)
    expect(sha).toBe(await sha256Hex(await photo.blob.arrayBuffer()))
    const row = await db.photos.get(sha)
    expect(row).toMatchObject({ user_id: '7', state: 'pending', width: 32, height: 32 })
  })

  it('gives the bytes back to a new picker after a reload', async () => {
    const photo = jpegLike(5)
    const sha = await indexedDbPhotoStorage('7').keep(photo)
    const afterReload = indexedDbPhotoStorage('7')
    expect(await bytesOf(await afterReload.load(sha))).toEqual(await bytesOf(photo.blob))
  })

  it('keeps the same photo once however often it is picked', async () => {
    const storage = indexedDbPhotoStorage('7')
    const a = await storage.keep(jpegLike(7))
    const b = await storage.keep(jpegLike(7))
    expect(a).toBe(b)
    expect(await db.photos.count()).toBe(1)
  })

  it('keeps the bytes when a photo is taken off a form (a draft or a queued op may cite them)', async () => {
    const storage = indexedDbPhotoStorage('7')
    const sha = await storage.keep(jpegLike(9))
    await storage.discard(sha)
    expect(await storage.load(sha)).not.toBeNull()
  })

  it('has nothing for an unknown photo', async () => {
    expect(await indexedDbPhotoStorage('7').load('0'.repeat(64))).toBeNull()
  })
})

describe('memory photo storage (public complaint page)', () => {
  beforeEach(resetDb)

  it('keeps a photo under the sha256 of its bytes and gives the bytes back', async () => {
    const photo = jpegLike(3)
    const storage = memoryPhotoStorage()
    const sha = await storage.keep(photo)
    expect(sha).toBe(await sha256Hex(await photo.blob.arrayBuffer()))
    expect(await bytesOf(await storage.load(sha))).toEqual(await bytesOf(photo.blob))
  })

  it('writes nothing to IndexedDB and is gone for the next page', async () => {
    const sha = await memoryPhotoStorage().keep(jpegLike(4))
    expect(await db.photos.count()).toBe(0)
    expect(await memoryPhotoStorage().load(sha)).toBeNull()
  })

  it('drops a photo taken off the form', async () => {
    const storage = memoryPhotoStorage()
    const gone = await storage.keep(jpegLike(5))
    const kept = await storage.keep(jpegLike(6))
    await storage.discard(gone)
    expect(await storage.load(gone)).toBeNull()
    expect(await storage.load(kept)).not.toBeNull()
  })

  it('drops every photo once the complaint is sent', async () => {
    const storage = memoryPhotoStorage()
    const shas = [await storage.keep(jpegLike(5)), await storage.keep(jpegLike(6))]
    storage.clear()
    for (const sha of shas) expect(await storage.load(sha)).toBeNull()
  })
})
