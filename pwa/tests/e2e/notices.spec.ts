import type { Page } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { apiToken, createHazardViaApi, firstDevice, makeJpeg, uiLogin, waitSynced } from './helpers'

async function signOut(page: Page): Promise<void> {
  await page.goto('/me')
  await page.getByTestId('logout').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/login/)
}

// seed 004 三书一函 on the demo city at 390 px: issue from a hazard with the form's defaults, the safety manager
// signs offline with a drawn signature, the sync sends it, they reply with a photo, the issuing zone closes it.
test('a notice goes from issue to close across inspector and safety manager', async ({ page, context, request }) => {
  test.setTimeout(180_000)
  const managerToken = await apiToken(request, 'manager1')
  const device = await firstDevice(request, managerToken)
  await page.goto('/login')
  const hazardId = await createHazardViaApi(page, request, managerToken, device.id, `文书 e2e ${Date.now()}`)

  // inspector1 issues from the hazard with the defaults
  await uiLogin(page, 'inspector1')
  await page.goto(`/hazards/${hazardId}`)
  await page.getByTestId('hazard-issue-notice').click()
  // the kind the escalation rules suggest for this hazard is the one preselected
  const inspectorToken = await apiToken(request, 'inspector1')
  const suggested = await (await request.get(`/api/notices/suggestion?hazard_id=${hazardId}`, { headers: { Authorization: `Bearer ${inspectorToken}` } })).json()
  await expect(page.getByTestId(`notice-kind-${suggested.kind}`)).toHaveAttribute('aria-checked', 'true')
  await page.screenshot({ path: '/tmp/notices-issue.png', fullPage: true })
  await page.getByTestId('notice-send').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/notices\/\d+$/)
  const noticeId = page.url().split('/').pop()!
  await expect(page.getByTestId('notice-status')).toHaveText('待签收')
  const download = page.waitForEvent('download')
  await page.getByTestId('notice-pdf').click()
  expect((await download).suggestedFilename()).toMatch(/^特监〔\d{4}〕(整改|提醒|约谈|督办)第\d{4}号\.pdf$/)
  await page.screenshot({ path: '/tmp/notices-detail-inspector.png', fullPage: true })
  await page.goto(`/hazards/${hazardId}`)
  await expect(page.getByTestId('hazard-notice')).toContainText(suggested.title)
  await signOut(page)

  // manager1 sees it on home and signs offline
  await uiLogin(page, 'manager1')
  await expect(page.getByTestId('notice-home-item').filter({ hasText: suggested.title }).first()).toBeVisible()
  await page.screenshot({ path: '/tmp/notices-home.png', fullPage: true })
  await page.goto(`/notices/${noticeId}`)
  await expect(page.getByTestId('notice-status')).toHaveText('待签收')
  await context.setOffline(true)
  const pad = page.getByTestId('signature-pad')
  const box = (await pad.boundingBox())!
  await page.mouse.move(box.x + 20, box.y + box.height / 2)
  await page.mouse.down()
  for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 20 + i * 22, box.y + box.height / 2 + (i % 2 ? -25 : 25))
  await page.mouse.up()
  await page.getByTestId('notice-acknowledge').click()
  await expect(page.getByTestId('notice-status')).toHaveText('已签收（待上传）')
  await expect(page.getByTestId('sync-status')).toContainText('1 条待上传')
  await page.screenshot({ path: '/tmp/notices-signed-offline.png', fullPage: true })
  await context.setOffline(false)
  await page.getByTestId('sync-now').click()
  await waitSynced(page)
  await expect(page.getByTestId('notice-status')).toHaveText('已签收')
  const signed = await (await request.get(`/api/notices/${noticeId}`, { headers: { Authorization: `Bearer ${managerToken}` } })).json()
  expect(signed.status).toBe('acknowledged')
  expect(signed.signature_url).toBeTruthy()

  // reply with a photo
  await page.getByTestId('notice-reply-field').locator('textarea').fill('已更换安全附件并完成自查')
  await page.getByTestId('photo-input').setInputFiles([{ name: 'r.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, 4) }])
  await expect(page.getByTestId('photo-thumb')).toHaveCount(1)
  await page.getByTestId('notice-reply').click()
  await expect(page.getByTestId('notice-status')).toHaveText('已回复')
  await expect(page.getByTestId('notice-reply-text')).toContainText('已更换安全附件')
  await page.screenshot({ path: '/tmp/notices-replied.png', fullPage: true })
  await signOut(page)

  // inspector1 closes it
  await uiLogin(page, 'inspector1')
  await page.goto('/notices')
  await expect(page.getByTestId('notice-row').first()).toContainText('已回复')
  await page.screenshot({ path: '/tmp/notices-list.png', fullPage: true })
  await page.goto(`/notices/${noticeId}`)
  await page.getByTestId('notice-close').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page.getByTestId('notice-status')).toHaveText('已结案')
  await page.screenshot({ path: '/tmp/notices-closed.png', fullPage: true })
})

// seed 004 三书一函 from the enterprise page (not from one hazard): the kind the rules suggest for the enterprise's
// open hazards is preselected, and the notice is sent with the form's defaults.
test('an inspector issues a notice from the enterprise page with the suggested kind', async ({ page, request }) => {
  test.setTimeout(120_000)
  const managerToken = await apiToken(request, 'manager1')
  const device = await firstDevice(request, managerToken)
  const me = await (await request.get('/api/auth/me', { headers: { Authorization: `Bearer ${managerToken}` } })).json()
  await page.goto('/login')
  await createHazardViaApi(page, request, managerToken, device.id, `企业文书 e2e ${Date.now()}`)
  const inspectorToken = await apiToken(request, 'inspector1')
  const suggested = await (
    await request.get(`/api/notices/suggestion?enterprise_id=${me.enterprise_id}`, {
      headers: { Authorization: `Bearer ${inspectorToken}` },
    })
  ).json()

  await uiLogin(page, 'inspector1')
  await page.goto(`/enterprises/${me.enterprise_id}`)
  await page.getByTestId('enterprise-issue-notice').click()
  await expect(page).toHaveURL(new RegExp(`/notices/new\\?enterprise=${me.enterprise_id}$`))
  await expect(page.getByTestId(`notice-kind-${suggested.kind}`)).toHaveAttribute('aria-checked', 'true')
  await page.screenshot({ path: '/tmp/regulator-notice-from-enterprise.png', fullPage: true })
  await page.getByTestId('notice-send').click()
  await page.locator('.van-dialog').getByRole('button', { name: '确认' }).click()
  await expect(page).toHaveURL(/\/notices\/\d+$/)
  await expect(page.getByTestId('notice-status')).toHaveText('待签收')
})
