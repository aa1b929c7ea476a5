import type { PushOp, PushResult } from '@/api/types'
import { vi } from 'vitest'
import { setAuthHooks } from '@/api/http'
import { db } from '@/offline/db'

export interface Call {
  method: string
  url: string
  body: unknown
  auth: string | null
}

type Handler = (call: Call) => Response | Promise<Response> | 'network'

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

export function apiError(status: number, code: string, message = code): Response {
  return json(status, { error: { code, message, details: {} } })
}

/** A scripted fake backend: route handlers by "METHOD /path"; records every call. */
export function fakeServer() {
  const calls: Call[] = []
  const handlers = new Map<string, Handler[]>()
  const pushed: PushOp[][] = []
  const on = (key: string, ...hs: Handler[]) => handlers.set(key, hs)
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input)
    const method = init?.method ?? 'GET'
    const path = url.split('?')[0]!
    const headers = (init?.headers ?? {}) as Record<string, string>
    let body: unknown = null
    if (typeof init?.body === 'string') body = JSON.parse(init.body)
    else if (init?.body) body = init.body
    const call = { method, url, body, auth: headers.Authorization ?? null }
    calls.push(call)
    const key = path.startsWith('/api/photos/') ? `${method} /api/photos/*` : `${method} ${path}`
    const list = handlers.get(key)
    if (!list || list.length === 0) throw new Error(`no fake handler for ${key}`)
    const handler = list.length > 1 ? list.shift()! : list[0]!
    if (key === 'POST /api/sync/push') pushed.push((body as { ops: PushOp[] }).ops)
    const res = await handler(call)
    if (res === 'network') throw new TypeError('Failed to fetch')
    return res
  })
  vi.stubGlobal('fetch', fetchMock)
  on('GET /api/sync/pull', () => json(200, { changes: [], cursor: 'c1', more: false }))
  on('PUT /api/photos/*', call => json(201, { sha256: call.url.split('/').pop(), width: 10, height: 10, thumbnail_url: '/t', url: '/u' }))
  return { calls, on, pushed, fetchMock }
}

export function allStatus(status: PushResult['status']): Handler {
  return (call) => {
    const ops = (call.body as { ops: PushOp[] }).ops
    return json(200, { results: ops.map(op => ({ op_id: op.op_id, status })) })
  }
}

export function installTokens(initial = { access: 'a1', refresh: 'r1' }) {
  const state = { ...initial, lost: [] as string[] }
  setAuthHooks({
    getAccessToken: () => state.access,
    getRefreshToken: () => state.refresh,
    setAccessToken: (t) => { state.access = t },
    onAuthLost: (code) => { state.lost.push(code) },
  })
  return state
}

export async function resetDb(): Promise<void> {
  await Promise.all(db.tables.map(t => t.clear()))
}
