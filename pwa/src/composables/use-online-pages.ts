import type { Ref } from 'vue'
import type { Page } from '@/api/types'
import { ref, watch } from 'vue'
import { useOnline } from '@/composables/use-online'

/**
 * A server list read page by page for Vant's `van-list` (online-only screens).
 *
 * `reset()` starts again from page 1 (after a filter change); answers of a superseded load are dropped, so a slow
 * reply for the old filter never lands in the new list. Offline nothing is fetched; on reconnect an empty list
 * loads again.
 */
export function useOnlinePages<T>(fetchPage: (page: number, perPage: number) => Promise<Page<T>>, perPage = 20) {
  const online = useOnline()
  const items = ref([]) as Ref<T[]>
  const total = ref(0)
  const page = ref(0)
  const loading = ref(false)
  const finished = ref(false)
  const failed = ref(false)
  let generation = 0

  async function loadMore(): Promise<void> {
    if (!online.value) {
      loading.value = false
      return
    }
    const mine = generation
    loading.value = true
    try {
      const res = await fetchPage(page.value + 1, perPage)
      if (mine !== generation) return
      items.value.push(...res.items)
      total.value = res.total
      page.value = res.page
      finished.value = res.page * res.per_page >= res.total
    } catch {
      if (mine === generation) failed.value = true
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  function reset(): void {
    generation++
    items.value = []
    total.value = 0
    page.value = 0
    finished.value = false
    failed.value = false
    loading.value = false
    void loadMore()
  }

  watch(online, now => {
    if (now && !items.value.length) reset()
  })
  reset()
  return { online, items, total, loading, finished, failed, loadMore, reset }
}
