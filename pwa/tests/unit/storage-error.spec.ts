import Dexie from 'dexie'
import { describe, expect, it } from 'vitest'
import { isQuotaError } from '@/utils/storage-error'

describe('isQuotaError', () => {
  it('recognises the browser DOMException', () => {
    expect(isQuotaError(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))).toBe(true)
  })

  it('looks through the error Dexie wraps around it', () => {
    const inner = new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    const wrapped = new Dexie.AbortError('Transaction aborted', inner)
    expect(wrapped.name).not.toBe('QuotaExceededError')
    expect(isQuotaError(wrapped)).toBe(true)
  })

  it('is false for other failures', () => {
    expect(isQuotaError(new Error('boom'))).toBe(false)
    expect(isQuotaError(new DOMException('x', 'AbortError'))).toBe(false)
    expect(isQuotaError(null)).toBe(false)
  })
})
