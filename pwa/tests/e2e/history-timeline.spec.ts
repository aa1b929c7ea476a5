// The change history of an enterprise and of its people, as the zone inspector reads it on the enterprise page:
// who changed which field, when, from what to what and why — in Chinese, then in English, at 390 px.
import { expect, test } from '@playwright/test'
import { apiToken, uiLogin } from './helpers'

test('the enterprise page shows the enterprise and each person\'s change history as a timeline', async ({ page, request }) => {
  test.setTimeout(120_000)
  const auth = { Authorization: `Bearer ${await apiToken(request, 'inspector1')}` }
  const listed = await (await request.get('/api/enterprises?per_page=1', { headers: auth })).json()
  const enterprise = listed.items[0] as { id: number, name: string }
  const phone = `0512-6${String(Date.now()).slice(-7)}`
  const edited = await request.patch(`/api/enterprises/${enterprise.id}`, {
    headers: auth,
    data: { contact_phone: phone, address: `人民路${Date.now() % 1000}号`, reason: '企业搬迁，地址变更' },
  })
  expect(edited.status()).toBe(200)
  const people = await (await request.get(`/api/people?enterprise_id=${enterprise.id}&per_page=5`, { headers: auth })).json()
  const person = people.items[0] as { id: number, name: string }
  const renamed = await request.patch(`/api/people/${person.id}`, {
    headers: auth,
    data: { phone: '13900001111', reason: '本人更换手机号' },
  })
  expect(renamed.status()).toBe(200)

  await uiLogin(page, 'inspector1')
  await page.goto(`/enterprises/${enterprise.id}`)
  const history = page.getByTestId('enterprise-history')
  await expect(history).toBeVisible()
  await history.getByText('变更记录').click()
  const row = page.getByTestId('history-row').filter({ hasText: phone })
  await expect(row).toContainText('联系电话')
  await expect(row).toContainText('inspector1')
  await expect(row).toContainText('原因：企业搬迁，地址变更')

  const personHistory = page.getByTestId('person-history').filter({ hasText: person.name })
  await personHistory.getByText(`${person.name} 的变更记录`).click()
  const personRow = personHistory.getByTestId('person-history-row').filter({ hasText: '13900001111' })
  await expect(personRow).toContainText('电话')
  await expect(personRow).toContainText('原因：本人更换手机号')
  await personRow.scrollIntoViewIfNeeded()
  await page.screenshot({ path: '/tmp/records-history-zh.png' })

  await page.evaluate(() => localStorage.setItem('sesv.locale', 'en'))
  await page.reload()
  await page.getByTestId('enterprise-history').getByText('Change history').click()
  await expect(page.getByTestId('history-row').filter({ hasText: phone })).toContainText('Contact phone')
  await expect(page.getByTestId('history-row').filter({ hasText: phone })).toContainText('Reason: 企业搬迁，地址变更')
  await page.getByTestId('history-row').filter({ hasText: phone }).scrollIntoViewIfNeeded()
  await page.screenshot({ path: '/tmp/records-history-en.png' })
})
