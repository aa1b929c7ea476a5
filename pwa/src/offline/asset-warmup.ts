// The second precache step (issue 22): the service worker precaches only the shell, so a first visit on a weak
// network gets the sign-in form and the first sync without competing downloads. After the first sync, every
// other built file (lazy screens, the QR wasm) is fetched into the cache the worker serves /assets/ from
// (vite.config.ts: runtimeCaching 'sesv-assets', CacheFirst), so the app then opens every screen offline.

export const ASSETS_CACHE = 'sesv-assets'
const LIST_URL = '/offline-assets.json'
const PARALLEL = 4

/** Fetches the missing assets of this build into the cache and drops those of older builds. */
export async function warmOfflineAssets(): Promise<void> {
  const res = await fetch(LIST_URL)
  if (!res.ok) throw new Error(`${LIST_URL}: HTTP ${res.status}`)
  const wanted = new Set((await res.json()) as string[])
  const cache = await caches.open(ASSETS_CACHE)
  const have = new Set((await cache.keys()).map(req => new URL(req.url).pathname))
  await Promise.all([...have].filter(path => !wanted.has(path)).map(path => cache.delete(path)))
  const missing = [...wanted].filter(path => !have.has(path))
  const workers = Array.from({ length: PARALLEL }, async () => {
    for (let path = missing.shift(); path; path = missing.shift()) await cache.add(path)
  })
  await Promise.all(workers)
}
