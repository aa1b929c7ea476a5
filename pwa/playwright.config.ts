import { defineConfig, devices } from '@playwright/test'

const baseURL = process.env.E2E_BASE_URL ?? `http://127.0.0.1:${process.env.E2E_PORT ?? '8765'}`

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export default defineConfig({
  testDir: './tests/e2e',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    ...devices['Pixel 7'],
    viewport: { width: 390, height: 844 },
    locale: 'zh-CN',
    serviceWorkers: 'allow',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
  },
  // One demo city serves the whole run. The credit spec records an accident, which makes an enterprise D for
  // three years and changes zone 1's grade mix that the plan spec draws from: it runs after everything else
  // (alone: `npx playwright test credit --no-deps`).
  projects: [
    { name: 'chromium', use: { browserName: 'chromium' }, testIgnore: /credit\.spec\.ts/ },
    { name: 'chromium-last', use: { browserName: 'chromium' }, testMatch: /credit\.spec\.ts/, dependencies: ['chromium'] },
  ],
  webServer: {
    command: 'bash ../scripts/e2e-server.sh',
    url: `${baseURL}/api/health`,
    reuseExistingServer: true,
    timeout: 120_000,
  },
})
