import type { Ref, WatchSource } from 'vue'
import { liveQuery } from 'dexie'
import { onScopeDispose, ref, watch } from 'vue'

/** A Dexie liveQuery as a ref; re-runs when the database changes or any of `deps` change. */
export function useLiveQuery<T>(
  query: () => Promise<T>,
  deps: WatchSource[] = [],
  initial?: T,
): { data: Ref<T | undefined>; loading: Ref<boolean>; error: Ref<Error | null> } {
  const data = ref(initial) as Ref<T | undefined>
  const loading = ref(true)
  const error = ref<Error | null>(null)
  let sub: { unsubscribe: () => void } | null = null

  function start(): void {
    sub?.unsubscribe()
    loading.value = true
    sub = liveQuery(query).subscribe({
      next: value => {
        data.value = value
        loading.value = false
        error.value = null
      },
      error: (err: Error) => {
        error.value = err
        loading.value = false
      },
    })
  }

  watch(deps, start, { immediate: true })
  onScopeDispose(() => sub?.unsubscribe())
  return { data, loading, error }
}
