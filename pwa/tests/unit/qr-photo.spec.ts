import { describe, expect, it } from 'vitest'
import { targetSize } from '@/offline/photos'
import { parseQrToken } from '@/scan/qr'

describe('parseQrToken', () => {
  it('reads the token from label URLs', () => {
    expect(parseQrToken('https://sesv.example.cn/q/QbceKWmuaAAXw6GBr4yc5A')).toBe('QbceKWmuaAAXw6GBr4yc5A')
    expect(parseQrToken('http://127.0.0.1:8765/q/abc_-9/')).toBe('abc_-9')
    expect(parseQrToken('  /q/tok123 ')).toBe('tok123')
    expect(parseQrToken('https://sesv.example.cn/q/a%20b')).toBe('a b')
  })

  it('returns null for anything else', () => {
    expect(parseQrToken('300000000001')).toBeNull()
    expect(parseQrToken('https://example.com/devices/1')).toBeNull()
    expect(parseQrToken('')).toBeNull()
  })
})

describe('targetSize', () => {
  it('never upscales and keeps the long edge at most 1600', () => {
    expect(targetSize(800, 600)).toEqual({ width: 800, height: 600 })
    expect(targetSize(4032, 3024)).toEqual({ width: 1600, height: 1200 })
    expect(targetSize(3024, 4032)).toEqual({ width: 1200, height: 1600 })
    expect(targetSize(5712, 4284)).toEqual({ width: 1600, height: 1200 })
  })
})
