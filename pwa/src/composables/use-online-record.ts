import type { Ref } from 'vue'
import { ref, watch } from 'vue'
import { useOnline } from '@/composables/use-online'

/**
 * One server record for an online-only screen (a plan, a round, a checklist version), loaded for `key()`
 * (usually the route's id): `loading` while asking, `failed` when the last load failed (the screen offers
 * retry). Offline nothing is fetched; it loads on reconnect while nothing is shown, and again when the key
 * changes, dropping a slow answer for the old key.
 */
export function useOnlineRecord<T>(key: () => string, fetchRecord: (key: string) => Promise<T>) {
  const online = useOnline()
  const data = ref(null) as Ref<T | null>
  const loading = ref(false)
  const failed = ref(false)
  let generation = 0

  async function load(): Promise<void> {
    if (!online.value) return
    const mine = ++generation
    loading.value = true
    failed.value = false
    try {
      const value = await fetchRecord(key())
      if (mine === generation) data.value = value
    } catch {
      if (mine === generation) failed.value = true
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  watch(key, () => void load(), { immediate: true })
  watch(online, now => {
    if (now && !data.value) void load()
  })
  return { data, loading, failed, load }
}
