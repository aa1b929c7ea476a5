import type { LoginResponse, User } from './types'
import { request } from './http'

export function login(username: string, password: string): Promise<LoginResponse> {
  return request<LoginResponse>('/api/auth/login', { method: 'POST', json: { username, password }, auth: false })
}

export function logout(refreshToken: string | null): Promise<unknown> {
  return request('/api/auth/logout', { method: 'POST', json: refreshToken ? { refresh_token: refreshToken } : {} })
}

export function fetchMe(): Promise<User> {
  return request<User>('/api/auth/me')
}
