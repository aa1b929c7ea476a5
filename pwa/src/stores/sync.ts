// Reactive sync status for the app bar, badges and the reload prompt. The engine itself is loaded lazily.
import type { SyncStatus } from '@/offline/sync'
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { useSessionStore } from './session'

type Runtime = typeof import('@/offline/runtime')

export const useSyncStore = defineStore('sync', () => {
  const session = useSessionStore()
  const pending = ref(0)
  const attention = ref(0)
  const status = ref<SyncStatus | null>(null)
  const ready = ref(false)
  let runtime: Runtime | null = null
  let loading: Promise<Runtime> | null = null

  function load(): Promise<Runtime> {
    loading ??= import('@/offline/runtime').then(mod => {
      runtime = mod
      mod.startRuntime({
        getUserId: () => (session.needsLogin || session.mustChangePassword ? null : session.userId),
        onStatus: s => {
          status.value = s
        },
        onCounts: c => {
          pending.value = c.pending
          attention.value = c.attention
        },
        // the person's own tasks come down beside the first download, so the home shows them before it ends
        ownTasksFirst: userId => import('@/offline/own-tasks').then(m => m.refreshOwnTasks(userId, session.role)),
      })
      ready.value = true
      return mod
    })
    return loading
  }

  async function syncNow(): Promise<void> {
    const rt = await load()
    await rt.syncNow()
  }

  /** After a login: drop another user's reference data, then resume the queue and pull. */
  async function afterLogin(): Promise<void> {
    const rt = await load()
    if (session.userId) await rt.prepareForUser(session.userId)
    await rt.resume()
  }

  async function beforeLogout(): Promise<void> {
    const rt = await load()
    rt.stopForLogout()
  }

  watch(
    () => session.needsLogin,
    needs => {
      if (needs && runtime) runtime.pause()
    },
  )
  watch(
    () => session.userId,
    () => runtime?.watchCounts(),
  )
  // after each successful round, the checklists too, so the self-check and inspection forms open offline later
  watch(
    () => status.value?.lastSyncAt,
    at => {
      const userId = session.userId
      if (!at || !userId || !session.hasRole('safety_manager', 'inspector', 'bureau_admin')) return
      void import('@/offline/checks').then(m => m.refreshTemplates(userId)).catch(() => {})
    },
  )

  return { pending, attention, status, ready, load, syncNow, afterLogin, beforeLogout }
})
