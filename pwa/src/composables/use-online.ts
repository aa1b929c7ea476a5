import type { Ref } from 'vue'
import { onScopeDispose, ref } from 'vue'

/** navigator.onLine as a ref. Only a hint: `true` proves nothing, the sync engine checks real answers. */
export function useOnline(): Ref<boolean> {
  const online = ref(typeof navigator === 'undefined' ? true : navigator.onLine)
  const update = () => {
    online.value = navigator.onLine
  }
  window.addEventListener('online', update)
  window.addEventListener('offline', update)
  onScopeDispose(() => {
    window.removeEventListener('online', update)
    window.removeEventListener('offline', update)
  })
  return online
}
