import { writeFileSync } from 'node:fs'
import { expect, chromium, test } from '@playwright/test'
import { CHROMIUM_ARGS } from '../../playwright.config'
import { apiToken, firstDevice, uiLogin } from './helpers'
import { pngToY4m } from './y4m'

test('scan a device label with the (fake) camera while offline', async ({ request, baseURL }, testInfo) => {
  const token = await apiToken(request, 'manager1')
  const device = await firstDevice(request, token)
  const label = await request.get(`/api/devices/${device.id}/label.png`, { headers: { Authorization: `Bearer ${token}` } })
  expect(label.ok()).toBeTruthy()
  const y4mPath = testInfo.outputPath('label.y4m')
  writeFileSync(y4mPath, pngToY4m(await label.body()))

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${y4mPath}`,
    ],
  })
  try {
    const context = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, locale: 'zh-CN', permissions: ['camera'] })
    const page = await context.newPage()
    const outside: string[] = []
    page.on('request', (req) => {
      if (!req.url().startsWith(baseURL!) && !req.url().startsWith('blob:') && !req.url().startsWith('data:')) outside.push(req.url())
    })
    await uiLogin(page, 'manager1')
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true))

    await context.setOffline(true)
    await page.goto('/scan')
    await expect(page).toHaveURL(new RegExp(`/devices/${device.id}$`), { timeout: 30_000 })
    await expect(page.getByTestId('device-name')).toHaveText(device.name)
    expect(outside).toEqual([])
    await context.close()
  }
  finally {
    await browser.close()
  }
})
