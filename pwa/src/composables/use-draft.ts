import type { WatchSource } from 'vue'
import { watch } from 'vue'

export function loadDraft<T>(key: string): T | null {
  try {
    return JSON.parse(localStorage.getItem(key) ?? 'null') as T | null
  } catch {
    return null
  }
}

/**
 * Autosave a form to localStorage on every change (Android may kill the tab while the camera app is open).
 * Returns a function that drops the draft once the record is safely queued.
 */
export function useDraft<T>(key: string, source: WatchSource<T>): () => void {
  let active = true
  watch(
    source,
    value => {
      if (active) localStorage.setItem(key, JSON.stringify(value))
    },
    { deep: true },
  )
  return () => {
    active = false
    localStorage.removeItem(key)
  }
}
