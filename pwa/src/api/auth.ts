import type { LoginResponse, SessionInfo, User } from './types'
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

export function changePassword(oldPassword: string, newPassword: string): Promise<User> {
  return request<User>('/api/auth/password', {
    method: 'POST',
    json: { old_password: oldPassword, new_password: newPassword },
  })
}

export async function listSessions(): Promise<SessionInfo[]> {
  return (await request<{ items: SessionInfo[] }>('/api/auth/sessions')).items
}

export function endSession(id: string): Promise<unknown> {
  return request(`/api/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' })
}

/** Sign out everywhere, this device included. */
export function endAllSessions(): Promise<{ ended: number }> {
  return request<{ ended: number }>('/api/auth/sessions', { method: 'DELETE' })
}
