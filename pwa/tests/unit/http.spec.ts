import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, buildUrl, request } from '@/api/http'
import { apiError, fakeServer, installTokens, json } from './helpers'

describe('http', () => {
  let tokens: ReturnType<typeof installTokens>
  beforeEach(() => { tokens = installTokens() })
  afterEach(() => vi.unstubAllGlobals())

  it('builds query strings without empty values', () => {
    expect(buildUrl('/api/devices', { q: '锅炉', page: 2, status: '', overdue: undefined, key_monitored: true }))
      .toBe('/api/devices?q=%E9%94%85%E7%82%89&page=2&key_monitored=true')
  })

  it('turns the error envelope into an ApiError', async () => {
    const server = fakeServer()
    server.on('GET /api/devices/9', () => json(404, { error: { code: 'not_found', message: '设备不存在', details: { id: 9 } } }))
    const err = await request('/api/devices/9').then(() => null, (e: unknown) => e as ApiError)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 404, code: 'not_found', message: '设备不存在', details: { id: 9 } })
    expect(err!.transient).toBe(false)
  })

  it('reports a network failure as a transient ApiError with status 0', async () => {
    const server = fakeServer()
    server.on('GET /api/auth/me', () => 'network')
    const err = await request('/api/auth/me').then(() => null, (e: unknown) => e as ApiError)
    expect(err).toMatchObject({ status: 0, code: 'network_error', transient: true })
  })

  it('refreshes once on token_expired, shares the refresh between callers, and retries', async () => {
    const server = fakeServer()
    server.on('GET /api/auth/me', call => (call.auth === 'Bearer a2' ? json(200, { id: 1 }) : apiError(401, 'token_expired')))
    server.on('POST /api/auth/refresh', () => json(200, { access_token: 'a2' }))
    const [a, b] = await Promise.all([request('/api/auth/me'), request('/api/auth/me')])
    expect(a).toEqual({ id: 1 })
    expect(b).toEqual({ id: 1 })
    expect(server.calls.filter(c => c.url === '/api/auth/refresh')).toHaveLength(1)
    expect(tokens.access).toBe('a2')
  })

  it('does not refresh on token_revoked and reports the lost session', async () => {
    const server = fakeServer()
    server.on('GET /api/auth/me', () => apiError(401, 'token_revoked'))
    await expect(request('/api/auth/me')).rejects.toMatchObject({ status: 401, code: 'token_revoked' })
    expect(server.calls.some(c => c.url === '/api/auth/refresh')).toBe(false)
    expect(tokens.lost).toEqual(['token_revoked'])
  })

  it('gives up when the refresh token is refused too', async () => {
    const server = fakeServer()
    server.on('GET /api/auth/me', () => apiError(401, 'token_expired'))
    server.on('POST /api/auth/refresh', () => apiError(401, 'token_expired'))
    await expect(request('/api/auth/me')).rejects.toMatchObject({ status: 401 })
    expect(server.calls.filter(c => c.url === '/api/auth/me')).toHaveLength(1)
    expect(tokens.lost.length).toBeGreaterThan(0)
  })

  it('sends no token on anonymous calls', async () => {
    const server = fakeServer()
    server.on('GET /api/qr/t1', () => json(200, { public: {}, device: null }))
    await request('/api/qr/t1', { auth: false })
    expect(server.calls[0]!.auth).toBeNull()
  })
})
