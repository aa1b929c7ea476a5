import { expect, test } from '@playwright/test'
import { makeJpeg, uiLogin } from './helpers'

// Only a certified worker maintains a lift (电梯作业人员证, verified by a regulator). maint2b's certificate was entered
// by the company and is still waiting for the bureau: the phone says so before a visit whose record would be refused.
// The company's admin adds a new certificate for the worker in the app; the bureau verifies it from the queue; the
// worker's warning goes away.
test('an unverified worker is warned, the company admin adds a certificate, the bureau verifies it', async ({ browser }) => {
  test.setTimeout(120_000)
  const number = `T-E2E-${Date.now() % 1_000_000}`

  const worker = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage()
  await uiLogin(worker, 'maint2b')
  await worker.getByTestId('maintenance-orders-link').click()
  const warning = worker.getByTestId('worker-certificate-warning')
  await expect(warning).toContainText('尚待监管部门核验')
  await expect(warning).toContainText('维保记录将被拒收')
  await worker.screenshot({ path: '/tmp/worker-cert-warning.png' })

  const admin = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage()
  await uiLogin(admin, 'maintadmin2')
  await admin.getByTestId('company-certificates-link').click()
  const person = admin.getByTestId('person').filter({ hasText: '维保工2二' })
  await expect(person.getByTestId('certificate-verification')).toHaveText('待核验')
  await person.getByTestId('person-add-certificate').click()
  const form = admin.getByTestId('person-form')
  await form.getByTestId('certificate-kind').getByText('作业人员证').click()
  await form.getByTestId('certificate-number').locator('input').fill(number)
  await form.getByTestId('photo-input').setInputFiles([{ name: 'cert.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(admin, 52) }])
  await expect(form.getByTestId('photo-thumb')).toHaveCount(1)
  await admin.screenshot({ path: '/tmp/worker-cert-admin-form.png' })
  await form.getByTestId('person-submit').click()
  const added = admin.getByTestId('certificate').filter({ hasText: number })
  await expect(added.getByTestId('certificate-verification')).toHaveText('待核验')
  await admin.screenshot({ path: '/tmp/worker-cert-admin-people.png', fullPage: true })

  const bureau = await (await browser.newContext()).newPage()
  await uiLogin(bureau, 'admin')
  await bureau.getByTestId('certificate-queue-link').click()
  const item = bureau.getByTestId('queue-item').filter({ hasText: number })
  await item.getByTestId('queue-verify').click()
  await bureau.getByRole('button', { name: '确认' }).click()
  await expect(bureau.getByTestId('queue-item').filter({ hasText: number })).toHaveCount(0)

  await worker.reload()
  await expect(worker.getByTestId('order-row').first().or(worker.getByTestId('orders-empty'))).toBeVisible()
  await expect(worker.getByTestId('worker-certificate-warning')).toHaveCount(0)
})
