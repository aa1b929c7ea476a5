import type { Ref } from 'vue'
import { onScopeDispose, ref, watch } from 'vue'

/** URL to show a photo: the local bytes when `load` has them, else the server's signed URL. */
export function usePhotoUrl(
  sha256: () => string,
  fallback: () => string | null,
  load: (sha256: string) => Promise<Blob | null>,
): Ref<string | null> {
  const url = ref<string | null>(null)
  let objectUrl: string | null = null

  const release = () => {
    if (objectUrl) URL.revokeObjectURL(objectUrl)
    objectUrl = null
  }

  watch(
    [sha256, fallback],
    async ([sha, remote]) => {
      release()
      const blob = await load(sha).catch(() => null)
      if (blob) {
        objectUrl = URL.createObjectURL(blob)
        url.value = objectUrl
      } else {
        url.value = remote
      }
    },
    { immediate: true },
  )

  onScopeDispose(release)
  return url
}
