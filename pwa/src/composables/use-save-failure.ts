// What a user is told when the phone could not keep a record or a photo: their language, what to do next, and never
// the browser's own exception text (an English DataCloneError means nothing to a safety manager).
import { useI18n } from 'vue-i18n'
import { PhotoError } from '@/utils/photo-compress'
import { isQuotaError } from '@/utils/storage-error'

export function useSaveFailure() {
  const { t } = useI18n()

  function storageFull(): void {
    void showDialog({ title: t('sync.storageFullTitle'), message: t('sync.storageFull') })
  }

  /** A form's record was not queued: the form still holds what was entered, so the user may simply try again. */
  function recordNotSaved(err: unknown): void {
    console.error('record not saved', err)
    if (isQuotaError(err)) return storageFull()
    void showDialog({ title: t('sync.saveFailedTitle'), message: t('sync.saveFailed') })
  }

  /** A picked photo could not be read, compressed or kept. */
  function photoNotSaved(err: unknown): void {
    console.error('photo not saved', err)
    if (isQuotaError(err)) return storageFull()
    showFailToast(t(`photo.errors.${err instanceof PhotoError ? err.code : 'store_failed'}`))
  }

  return { recordNotSaved, photoNotSaved }
}
