import { describe, expect, it } from 'vitest'
import { normalizePhone } from '@/api/complaints'
import { leadingZeroBits, solvePow } from '@/utils/pow'

describe('proof of work (matches backend/complaints/rules.py)', () => {
  it('counts leading zero bits like leading_zero_bits', () => {
    expect(leadingZeroBits(new Uint8Array([0x80]))).toBe(0)
    expect(leadingZeroBits(new Uint8Array([0x01]))).toBe(7)
    expect(leadingZeroBits(new Uint8Array([0x00, 0x00, 0x3F]))).toBe(18)
    expect(leadingZeroBits(new Uint8Array([0, 0]))).toBe(16)
  })

  it('finds a nonce whose sha256(challenge + nonce) over UTF-8 has the bits', async () => {
    const challenge = 'v1.1999999999.10.abcdef.0123456789abcdef'
    let progress = 0
    const nonce = await solvePow(challenge, 10, { batch: 64, onProgress: (n) => { progress = n } })
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(challenge + nonce))
    expect(leadingZeroBits(new Uint8Array(digest))).toBeGreaterThanOrEqual(10)
    expect(/^\d+$/.test(nonce)).toBe(true)
    expect(progress).toBeLessThanOrEqual(Number(nonce) + 64)
  })
})

describe('contact phone', () => {
  it('accepts mainland mobiles and landlines like normalize_phone', () => {
    expect(normalizePhone('138 1234 5678')).toBe('13812345678')
    expect(normalizePhone('+86 13812345678')).toBe('13812345678')
    expect(normalizePhone('0512-58123456')).toBe('051258123456')
    expect(normalizePhone('12812345678')).toBeNull()
    expect(normalizePhone('1381234567')).toBeNull()
  })
})
