import { describe, expect, it } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { useOnlineRecord } from '@/composables/use-online-record'

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

const settle = async () => { for (let i = 0; i < 5; i++) await nextTick() }

describe('useOnlineRecord', () => {
  it('shows the record of the current key, dropping a slow answer for the previous one', async () => {
    const id = ref('1')
    const asked: Record<string, ReturnType<typeof deferred<string>>> = {}
    const scope = effectScope()
    const record = scope.run(() => useOnlineRecord(() => id.value, (key) => {
      asked[key] = deferred<string>()
      return asked[key].promise
    }))!
    expect(record.loading.value).toBe(true)
    id.value = '2'
    await settle()
    asked['2']!.resolve('plan 2')
    await settle()
    asked['1']!.resolve('plan 1 (late)')
    await settle()
    expect(record.data.value).toBe('plan 2')
    expect(record.loading.value).toBe(false)
    scope.stop()
  })

  it('reports a failed load and loads again on retry', async () => {
    let fail = true
    const scope = effectScope()
    const record = scope.run(() => useOnlineRecord(() => '7', async (key) => {
      if (fail) throw new Error('offline for real')
      return `round ${key}`
    }))!
    await settle()
    expect(record.failed.value).toBe(true)
    expect(record.data.value).toBeNull()
    fail = false
    await record.load()
    expect(record.failed.value).toBe(false)
    expect(record.data.value).toBe('round 7')
    scope.stop()
  })
})
