import { expect, test } from '@playwright/test'
import { uiLogin } from './helpers'

/** Every URL held in the page origin's caches (the worker's precache and its /assets/ runtime cache). */
async function cachedPaths(page: import('@playwright/test').Page): Promise<string[]> {
  return page.evaluate(async () => {
    const paths: string[] = []
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) paths.push(new URL(req.url).pathname)
    }
    return paths
  })
}

test('a first visit precaches the shell only; after the first sync every screen is cached and opens offline', async ({ page, context }) => {
  await page.goto('/login')
  await page.evaluate(async () => { await navigator.serviceWorker.ready })
  // the sign-in page's first visit downloads no lazy screen it does not show (issue 22: weak networks)
  const beforeSignIn = await cachedPaths(page)
  expect(beforeSignIn.some(p => /\/assets\/index-[^/]+\.js$/.test(p))).toBe(true)
  expect(beforeSignIn.filter(p => /DashboardView|CheckFormView|zxing_reader/.test(p))).toEqual([])

  await uiLogin(page, 'inspector1') // waits for the first sync and the second caching step
  const listed = (await (await page.request.get('/offline-assets.json')).json()) as string[]
  const cached = new Set(await cachedPaths(page))
  expect(listed.filter(p => !cached.has(p))).toEqual([])

  // a screen never opened online, with its ECharts chunk, opens offline
  await context.setOffline(true)
  await page.goto('/dashboard')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('统计看板')
  await expect(page.getByTestId('dashboard')).toBeVisible()
})
