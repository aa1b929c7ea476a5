// The inbox: fetched from the server when online, kept in IndexedDB (the meta table, per user) so it reads offline.
// The tab bar's badge uses this store, so the IndexedDB code loads lazily, outside the app shell.
import type { AppNotification, Inbox } from '@/api/notifications'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { fetchInbox, markNotificationRead } from '@/api/notifications'
import { useSessionStore } from './session'

const PER_PAGE = 50

type Cached = Pick<Inbox, 'items' | 'unread_count'>

async function readCache(key: string): Promise<Cached | undefined> {
  const { getMeta } = await import('@/offline/db')
  return getMeta<Cached>(key)
}

async function writeCache(key: string, value: Cached): Promise<void> {
  const { setMeta } = await import('@/offline/db')
  await setMeta(key, value)
}

export const useInboxStore = defineStore('inbox', () => {
  const session = useSessionStore()
  const items = ref<AppNotification[]>([])
  const unread = ref(0)
  /** the list shown came from the phone's copy (the server was not reachable) */
  const fromCache = ref(false)

  const cacheKey = () => `inbox:${session.userId ?? ''}`

  function show(inbox: Cached): void {
    items.value = inbox.items
    unread.value = inbox.unread_count
  }

  /** Load from the server and keep a copy; offline (or on failure) show the copy, throwing only without one. */
  async function refresh(): Promise<void> {
    try {
      const inbox = await fetchInbox({ per_page: PER_PAGE })
      show(inbox)
      fromCache.value = false
      await writeCache(cacheKey(), { items: inbox.items, unread_count: inbox.unread_count })
    } catch (error) {
      const cached = await readCache(cacheKey())
      if (!cached) throw error
      show(cached)
      fromCache.value = true
    }
  }

  async function markRead(notification: AppNotification): Promise<void> {
    if (notification.read_at) return
    const saved = await markNotificationRead(notification.id)
    items.value = items.value.map(n => (n.id === saved.id ? { ...n, read_at: saved.read_at } : n))
    unread.value = Math.max(0, unread.value - 1)
    await writeCache(cacheKey(), { items: items.value, unread_count: unread.value })
  }

  return { items, unread, fromCache, refresh, markRead }
})
