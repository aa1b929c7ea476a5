import { expect, test } from '@playwright/test'
import { apiToken, makeJpeg, uiLogin } from './helpers'

// A safety manager adds a state certificate with its photo: it is self-declared (待核验) and counts nowhere until the
// zone's inspector checks it against the photo in the verification queue.
test('the manager adds an operator certificate with its photo and the inspector verifies it from the queue', async ({ browser, request }) => {
  const number = `ZY-E2E-${Date.now() % 1_000_000}`

  const manager = await (await browser.newContext()).newPage()
  await uiLogin(manager, 'manager1')
  await manager.getByTestId('own-enterprise-link').click()
  await expect(manager.getByTestId('enterprise-people')).toBeVisible()
  const person = manager.getByTestId('person').first()
  await expect(person).toBeVisible()
  await person.getByTestId('person-add-certificate').click()
  const form = manager.getByTestId('person-form')
  await form.getByTestId('certificate-kind').getByText('作业人员证').click()
  await form.getByTestId('certificate-number').locator('input').fill(number)
  // without the photo it is refused: the regulator has nothing to check it against
  await form.getByTestId('person-submit').click()
  await expect(manager.getByText('请先拍摄或选择证书照片')).toBeVisible()
  await manager.getByRole('button', { name: /确认|OK/ }).click()
  await form.getByTestId('photo-input').setInputFiles([{ name: 'cert.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(manager, 41) }])
  await expect(form.getByTestId('photo-thumb')).toHaveCount(1)
  await manager.screenshot({ path: '/tmp/people-certificate-form.png' })
  await form.getByTestId('person-submit').click()
  const added = manager.getByTestId('certificate').filter({ hasText: number })
  await expect(added.getByTestId('certificate-verification')).toHaveText('待核验')
  await manager.screenshot({ path: '/tmp/people-enterprise-people.png', fullPage: true })

  const inspector = await (await browser.newContext()).newPage()
  await uiLogin(inspector, 'inspector1')
  await inspector.getByTestId('certificate-queue-link').click()
  await expect(inspector).toHaveURL(/\/certificates$/)
  const item = inspector.getByTestId('queue-item').filter({ hasText: number })
  await expect(item).toBeVisible()
  await expect(item.locator('img')).toBeVisible()
  await expect.poll(() => item.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
  await inspector.screenshot({ path: '/tmp/people-queue.png', fullPage: true })
  await item.getByTestId('queue-verify').click()
  await expect(inspector.getByText('已对照照片核对')).toBeVisible()
  await inspector.screenshot({ path: '/tmp/people-queue-confirm.png' })
  await inspector.getByRole('button', { name: '确认' }).click()
  await expect(inspector.getByTestId('queue-item').filter({ hasText: number })).toHaveCount(0)

  // the enterprise sees it verified, and the API agrees
  await manager.reload()
  await expect(manager.getByTestId('certificate').filter({ hasText: number }).getByTestId('certificate-verification')).toHaveText('已核验')
  const auth = { Authorization: `Bearer ${await apiToken(request, 'manager1')}` }
  const people = await (await request.get('/api/people?per_page=100', { headers: auth })).json()
  const certificates = people.items.flatMap((p: { certificates: { number: string, verification: string, counts: boolean }[] }) => p.certificates)
  expect(certificates.find((c: { number: string }) => c.number === number)).toMatchObject({ verification: 'verified', counts: true })
})
