// The one place that talks HTTP. Adds the Bearer token, refreshes once on 401 token_expired,
// turns failures into ApiError. Never shows UI: views decide what to tell the user.
import type { ApiErrorBody } from './types'

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** Worth retrying later: no answer, a server error or rate limiting. */
  get transient(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429 || this.status === 408
  }

  get unauthorized(): boolean {
    return this.status === 401
  }
}

export interface AuthHooks {
  getAccessToken: () => string | null
  getRefreshToken: () => string | null
  setAccessToken: (token: string) => void
  /** Refresh tokens rotate: each refresh answers the next one (the old one is spent). */
  setRefreshToken?: (token: string) => void
  /** The refresh token is gone or refused: the session needs a new login. */
  onAuthLost: (code: string) => void
}

let hooks: AuthHooks | null = null
let refreshing: Promise<boolean> | null = null

export function setAuthHooks(h: AuthHooks | null): void {
  hooks = h
}

export interface RequestOptions {
  method?: string
  json?: unknown
  body?: BodyInit
  headers?: Record<string, string>
  query?: Record<string, string | number | boolean | null | undefined>
  auth?: boolean
  signal?: AbortSignal
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

async function parseError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as ApiErrorBody
    if (body?.error?.code) {
      return new ApiError(res.status, body.error.code, body.error.message ?? res.statusText, body.error.details ?? {})
    }
  } catch {
    // not JSON (proxy page, captive portal): fall through
  }
  return new ApiError(res.status, `http_${res.status}`, res.statusText || `HTTP ${res.status}`)
}

async function send(url: string, opts: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers }
  let body = opts.body
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.json)
  }
  if (token) headers.Authorization = `Bearer ${token}`
  try {
    return await fetch(url, { method: opts.method ?? 'GET', headers, body, signal: opts.signal })
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw err
    throw new ApiError(0, 'network_error', (err as Error)?.message || 'Network error')
  }
}

/** POST /api/auth/refresh once for all concurrent callers. */
export function refreshAccessToken(): Promise<boolean> {
  if (!refreshing) {
    refreshing = (async () => {
      const refresh = hooks?.getRefreshToken()
      if (!refresh) return false
      const res = await send('/api/auth/refresh', { method: 'POST' }, refresh)
      if (res.ok) {
        const data = (await res.json()) as { access_token: string; refresh_token?: string }
        hooks?.setAccessToken(data.access_token)
        if (data.refresh_token) hooks?.setRefreshToken?.(data.refresh_token)
        return true
      }
      const err = await parseError(res)
      if (err.status === 401) {
        hooks?.onAuthLost(err.code)
        return false
      }
      throw err
    })().finally(() => {
      refreshing = null
    })
  }
  return refreshing
}

export async function requestRaw(path: string, opts: RequestOptions = {}): Promise<Response> {
  const url = buildUrl(path, opts.query)
  const useAuth = opts.auth !== false
  let res = await send(url, opts, useAuth ? (hooks?.getAccessToken() ?? null) : null)
  if (res.status === 401 && useAuth) {
    const err = await parseError(res.clone())
    if (err.code === 'token_expired' && (await refreshAccessToken())) {
      res = await send(url, opts, hooks?.getAccessToken() ?? null)
    }
    if (res.status === 401) {
      const final = await parseError(res)
      if (final.code !== 'token_missing' || hooks?.getAccessToken()) hooks?.onAuthLost(final.code)
      throw final
    }
  }
  if (!res.ok) throw await parseError(res)
  return res
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await requestRaw(path, opts)
  if (res.status === 204) return undefined as T
  try {
    return (await res.json()) as T
  } catch {
    // a 200 that is not JSON is not our API (captive portal, SW fallback page)
    throw new ApiError(0, 'bad_response', 'Unexpected response from server')
  }
}
