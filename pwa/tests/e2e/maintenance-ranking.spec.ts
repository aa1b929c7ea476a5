import { expect, test } from '@playwright/test'
import { apiToken, uiLogin } from './helpers'

test('the bureau ranks the maintenance companies from the workbench, with the figures each grade rests on', async ({ page, request }) => {
  const auth = { Authorization: `Bearer ${await apiToken(request, 'admin')}` }
  const ranking = await (await request.get('/api/maintenance/companies/ranking', { headers: auth })).json() as { company: string, grade: string, faults_per_100: number }[]
  expect(ranking.length).toBeGreaterThanOrEqual(4) // the demo city's four companies

  await uiLogin(page, 'admin')
  await page.getByTestId('maintenance-ranking-link').click()
  const rows = page.getByTestId('ranking-row')
  await expect(rows).toHaveCount(ranking.length)
  await expect(rows.first()).toContainText(`1. ${ranking[0]!.company}`)
  await expect(rows.first()).toContainText(ranking[0]!.grade)
  await expect(rows.first()).toContainText(/按期 [\d.]+% · 异议 [\d.]+% · 困人 [\d.]+\/百台 · 故障 [\d.]+\/百台 · 投诉 [\d.]+\/百台/)
  await expect(rows.first()).toContainText(`故障 ${ranking[0]!.faults_per_100}/百台`)
  await page.screenshot({ path: '/tmp/maintenance-ranking.png' })
})
