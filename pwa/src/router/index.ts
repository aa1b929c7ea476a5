import { createRouter, createWebHistory, START_LOCATION } from 'vue-router'
import { loadFeatureMessages } from '@/i18n'
import { useSessionStore } from '@/stores/session'
import { routes } from './routes'

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  // the first screen opens at the top already: scrolling there would force a layout of the page mid-render
  scrollBehavior: (_to, from, saved) => saved ?? (from === START_LOCATION ? false : { top: 0 }),
})

router.beforeEach(async to => {
  const session = useSessionStore()
  if (!to.meta.public && !session.isLoggedIn) {
    return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  }
  if (to.name === 'login' && session.isLoggedIn && !session.needsLogin) return { name: 'home' }
  // a one-time password opens nothing but the screen that replaces it
  if (session.isLoggedIn && session.mustChangePassword && !session.needsLogin && to.name !== 'set-password') {
    return { name: 'set-password' }
  }
  if (to.name === 'set-password' && !session.mustChangePassword) return { name: 'home' }
  if (to.meta.features) await loadFeatureMessages()
  return true
})

/**
 * A lazily loaded chunk from an older deploy is gone (new service worker waiting, assets replaced): reload once,
 * only while online (offline the reload cannot help), with a sessionStorage guard against reload loops.
 */
function reloadOnceForStaleChunk(target: string): boolean {
  const guard = 'sesv.chunk-reload'
  if (!navigator.onLine || sessionStorage.getItem(guard)) return false
  sessionStorage.setItem(guard, '1')
  window.location.assign(target)
  return true
}

router.onError((err, to) => {
  const msg = String((err as Error)?.message ?? err)
  if (/dynamically imported module|Importing a module script failed/i.test(msg)) reloadOnceForStaleChunk(to.fullPath)
})

window.addEventListener('vite:preloadError', event => {
  if (reloadOnceForStaleChunk(window.location.pathname + window.location.search)) event.preventDefault()
})
