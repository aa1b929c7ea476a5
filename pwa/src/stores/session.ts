// Tokens and the signed-in user, kept in localStorage so the app opens offline after one online login.
import type { Role, User } from '@/api/types'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { login as apiLogin, logout as apiLogout } from '@/api/auth'
import { setAuthHooks } from '@/api/http'

const KEYS = { access: 'sesv.access', refresh: 'sesv.refresh', user: 'sesv.user' } as const

function readUser(): User | null {
  try {
    return JSON.parse(localStorage.getItem(KEYS.user) ?? 'null') as User | null
  } catch {
    return null
  }
}

function store(key: string, value: string | null): void {
  if (value === null) localStorage.removeItem(key)
  else localStorage.setItem(key, value)
}

export const useSessionStore = defineStore('session', () => {
  const accessToken = ref<string | null>(localStorage.getItem(KEYS.access))
  const refreshToken = ref<string | null>(localStorage.getItem(KEYS.refresh))
  const user = ref<User | null>(readUser())
  /** The server refused our tokens: keep the user and data, ask for the password again. */
  const needsLogin = ref(false)

  const isLoggedIn = computed(() => user.value !== null && refreshToken.value !== null)
  /** Signed in with a one-time password: nothing works until a new password is set. */
  const mustChangePassword = computed(() => user.value?.must_change_password === true)
  const userId = computed(() => (user.value ? String(user.value.id) : null))
  const role = computed<Role | null>(() => user.value?.role ?? null)

  function hasRole(...roles: Role[]): boolean {
    return role.value !== null && roles.includes(role.value)
  }

  setAuthHooks({
    getAccessToken: () => accessToken.value,
    // another tab of the app may have rotated it since this one loaded
    getRefreshToken: () => localStorage.getItem(KEYS.refresh) ?? refreshToken.value,
    setAccessToken: token => {
      accessToken.value = token
      store(KEYS.access, token)
    },
    setRefreshToken: token => {
      refreshToken.value = token
      store(KEYS.refresh, token)
    },
    onAuthLost: () => {
      if (user.value) needsLogin.value = true
    },
  })

  async function login(username: string, password: string): Promise<User> {
    const res = await apiLogin(username, password)
    accessToken.value = res.access_token
    refreshToken.value = res.refresh_token
    user.value = res.user
    needsLogin.value = false
    store(KEYS.access, res.access_token)
    store(KEYS.refresh, res.refresh_token)
    store(KEYS.user, JSON.stringify(res.user))
    return res.user
  }

  /** The server's answer to a password change: the same user, no longer bound to set one. */
  function passwordChanged(updated: User): void {
    user.value = updated
    store(KEYS.user, JSON.stringify(updated))
  }

  /** The session ended on the server (signed out everywhere): forget it here too. */
  function forget(): void {
    accessToken.value = null
    refreshToken.value = null
    user.value = null
    needsLogin.value = false
    Object.values(KEYS).forEach(k => store(k, null))
  }

  async function logout(): Promise<void> {
    if (accessToken.value && navigator.onLine) {
      try {
        await apiLogout(refreshToken.value)
      } catch {
        // offline or already revoked: forgetting the tokens locally is what matters
      }
    }
    forget()
  }

  return {
    accessToken,
    refreshToken,
    user,
    userId,
    role,
    needsLogin,
    isLoggedIn,
    mustChangePassword,
    hasRole,
    login,
    logout,
    passwordChanged,
    forget,
  }
})
