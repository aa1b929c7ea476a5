import type { UnwrapNestedRefs } from 'vue'
import { computed, reactive, ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { errorText, fieldErrors } from '@/api/errors'
import { useOnline } from '@/composables/use-online'
import { useOnlineRecord } from '@/composables/use-online-record'

/**
 * The records of one parent (a device's inspections, accessories, documents …), read from the server:
 * `unavailable` when the last load failed or the phone is offline with nothing loaded (it loads again on
 * reconnect and when `parentId` changes).
 */
export function useRecordList<T>(parentId: () => number | string, fetchList: (id: string) => Promise<T[]>) {
  const online = useOnline()
  const { data, loading, failed, load } = useOnlineRecord(() => String(parentId()), fetchList)
  const items = computed(() => data.value ?? [])
  const unavailable = computed(() => failed.value || (!online.value && data.value === null))
  /** AsyncState's loading and failed props for this list (`v-bind="listState"`) */
  const listState = computed(() => ({
    loading: loading.value,
    error: unavailable.value,
    errorImage: 'network',
    retry: load,
  }))
  return { items, loading, unavailable, load, listState }
}

/**
 * A form in a bottom sheet that adds one record online (a device's inspection, accessory, work record or
 * attachment): `open()` starts from a blank form; `save()` sends it, closes the sheet with the success
 * text `submit` returns and calls `saved`, or keeps everything typed and shows the server's field errors
 * next to their fields (any other error as a toast).
 */
export function useRecordForm<F extends object>(
  blank: () => F,
  submit: (form: UnwrapNestedRefs<F>) => Promise<string>,
  saved: () => unknown,
) {
  const form = reactive(blank())
  const show = ref(false)
  const saving = ref(false)
  const errors = ref<Record<string, string>>({})

  function open(): void {
    Object.assign(form, blank())
    errors.value = {}
    show.value = true
  }

  async function save(): Promise<void> {
    saving.value = true
    errors.value = {}
    try {
      const done = await submit(form)
      show.value = false
      showSuccessToast(done)
      await saved()
    } catch (err) {
      errors.value = fieldErrors(err)
      if (!Object.keys(errors.value).length) showFailToast(errorText(err))
    } finally {
      saving.value = false
    }
  }

  return { form, show, saving, errors, open, save }
}

/** A regulator's confirmation of a pending record: asked first, then sent; `done` runs after it held. */
export function useConfirmRecord() {
  const { t } = useI18n()
  return async function confirmRecord(
    dialog: { title: string; message: string },
    send: () => Promise<unknown>,
    done: () => unknown,
  ): Promise<void> {
    try {
      await showConfirmDialog({
        ...dialog,
        confirmButtonText: t('inspectionRecord.confirm'),
        cancelButtonText: t('common.cancel'),
      })
    } catch {
      return
    }
    try {
      await send()
      showSuccessToast(t('inspectionRecord.confirmed'))
      await done()
    } catch (err) {
      showFailToast(errorText(err))
    }
  }
}
