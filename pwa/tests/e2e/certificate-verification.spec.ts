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

// 安全培训档案 (seed 001 附件一(六)): the manager records a person's training and sees it under the person.
test('the manager records a training for a person and sees it in the person’s training records', async ({ page, request }) => {
  const topic = `电梯安全管理培训 ${Date.now() % 1_000_000}`
  await uiLogin(page, 'manager1')
  await page.getByTestId('own-enterprise-link').click()
  const person = page.getByTestId('person').first()
  await expect(person).toBeVisible()
  const name = (await person.locator('strong').textContent())!.trim()
  const before = await person.getByTestId('training').count()
  await person.getByTestId('person-add-training').click()

  const form = page.getByTestId('person-form')
  await expect(form.getByRole('heading', { name: '添加培训记录' })).toBeVisible()
  // the topic is required: nothing is sent without it
  await form.getByTestId('person-submit').click()
  await expect(form.getByTestId('training-topic')).toContainText('必填')
  await form.getByLabel('培训内容').fill(topic)
  await form.getByLabel('学时').fill('8')
  await form.getByLabel('培训机构').fill('苏州市特种设备协会')
  await form.getByTestId('training-assessment').getByText('合格', { exact: true }).click()
  await page.screenshot({ path: '/tmp/golive-training-form.png' })
  await form.getByTestId('person-submit').click()
  await expect(page.getByText('培训记录已保存')).toBeVisible()

  const row = page.getByRole('list', { name: `${name}的培训记录` }).getByTestId('training').filter({ hasText: topic })
  await expect(row).toBeVisible()
  await expect(row).toContainText('8 学时')
  await expect(row).toContainText('苏州市特种设备协会')
  await expect(row.getByTestId('training-result')).toHaveText('合格')
  await expect(page.getByTestId('person').first().getByTestId('training')).toHaveCount(before + 1)
  await row.scrollIntoViewIfNeeded()
  await page.screenshot({ path: '/tmp/golive-training-list.png' })

  // the server kept it as entered
  const auth = { Authorization: `Bearer ${await apiToken(request, 'manager1')}` }
  const people = await (await request.get('/api/people?per_page=100', { headers: auth })).json()
  const trainings = people.items.flatMap((p: { trainings: { topic: string }[] }) => p.trainings)
  expect(trainings.find((tr: { topic: string }) => tr.topic === topic)).toMatchObject({ hours: 8, provider: '苏州市特种设备协会', passed: true })
})
