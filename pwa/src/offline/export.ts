// "Export unsynced data": every outbox item of the user with the photos it cites, as one JSON file.
import { db } from './db'
import { listOutbox } from './outbox'
import { photoBlob } from './photos'

async function toBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer())
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

export async function exportUnsynced(userId: string): Promise<Blob> {
  const items = await listOutbox(userId)
  const shas = [...new Set(items.flatMap(i => i.photos))]
  const photos = []
  for (const sha of shas) {
    const row = await db.photos.get(sha)
    if (row)
      photos.push({
        sha256: sha,
        type: row.type,
        width: row.width,
        height: row.height,
        base64: await toBase64(photoBlob(row)),
      })
  }
  const doc = {
    format: 'sesv-outbox-export',
    version: 1,
    exported_at: new Date().toISOString(),
    user_id: userId,
    ops: items.map(i => ({
      op_id: i.op_id,
      type: i.type,
      payload: i.payload,
      state: i.state,
      error: i.error,
      created_at: i.created_at,
    })),
    photos,
  }
  return new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' })
}

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
