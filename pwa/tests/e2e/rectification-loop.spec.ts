import type { Page } from '@playwright/test'
import { expect, test } from '@playwright/test'
import { apiToken, createHazardViaApi, firstDevice, makeJpeg, uiLogin, waitSynced } from './helpers'

// The report → rectify → verify loop as its users meet it: the safety manager on the phone, the zone's inspector on
// another phone. The after-photo is submitted once online and once offline (synced when the network is back).

interface ServerHazard {
  status: string
  photos: Array<{ sha256: string, stage: string }>
  events: Array<{ action: string }>
}

async function syncAndSettle(page: Page): Promise<void> {
  await page.getByTestId('sync-now').click()
  await waitSynced(page)
  await expect(page.getByTestId('sync-badge')).toHaveCount(0)
}

async function openAction(page: Page, action: string, name: string): Promise<ReturnType<Page['getByRole']>> {
  await page.getByTestId(`action-${action}`).click()
  const dialog = page.getByRole('dialog', { name })
  await expect(dialog).toBeVisible()
  return dialog
}

for (const mode of ['online', 'offline'] as const) {
  test(`rectification loop with the after-photo submitted ${mode}`, async ({ page, context, browser, request }) => {
    const token = await apiToken(request, 'manager1')
    const auth = { Authorization: `Bearer ${token}` }
    const serverHazard = async (id: string): Promise<ServerHazard> => (await request.get(`/api/hazards/${id}`, { headers: auth })).json()
    const device = await firstDevice(request, token)
    const description = `整改闭环 e2e ${mode} ${Date.now()}`

    // the safety manager reports a hazard on the device with a real photo
    await uiLogin(page, 'manager1')
    const before = await makeJpeg(page, 3)
    const after = await makeJpeg(page, 4)
    await page.goto(`/devices/${device.id}`)
    await page.getByTestId('report-hazard').click()
    await page.getByPlaceholder('如：安全附件、作业人员、安全管理').fill('安全附件')
    await page.getByPlaceholder('描述发现的问题').fill(description)
    await page.getByTestId('photo-input').setInputFiles([{ name: 'before.jpg', mimeType: 'image/jpeg', buffer: before }])
    await expect(page.getByTestId('photo-thumb')).toHaveCount(1)
    await page.getByTestId('submit-hazard').click()
    await expect(page).toHaveURL(new RegExp(`/devices/${device.id}$`))
    await syncAndSettle(page)
    await page.getByTestId('device-hazards').getByText(description).click()
    await expect(page).toHaveURL(/\/hazards\/[0-9a-f-]{36}$/)
    const id = page.url().split('/').pop()!
    await expect(page.getByTestId('hazard-status')).toHaveText('已上报')
    expect((await serverHazard(id)).status).toBe('reported')

    // start rectification (online); the submit action comes back once the server has it
    let dialog = await openAction(page, 'start_rectification', '开始整改')
    await dialog.getByRole('textbox').fill('已安排维保单位更换安全阀')
    await dialog.getByRole('button', { name: '提交' }).click()
    await expect(page.getByTestId('hazard-status')).toHaveText('整改中')
    await expect(page.getByTestId('action-submit_rectification')).toBeVisible({ timeout: 60_000 })

    // submit the rectification with an after-photo
    if (mode === 'offline') await context.setOffline(true)
    dialog = await openAction(page, 'submit_rectification', '提交整改')
    await dialog.getByRole('textbox').first().fill('安全阀已更换并校验')
    await dialog.getByTestId('photo-input').setInputFiles([{ name: 'after.jpg', mimeType: 'image/jpeg', buffer: after }])
    await expect(dialog.getByTestId('photo-thumb')).toHaveCount(1)
    await page.screenshot({ path: test.info().outputPath(`submit-dialog-${mode}.png`) })
    await dialog.getByRole('button', { name: '提交' }).click()
    await expect(page.getByTestId('hazard-status')).toHaveText('待复核')
    await expect(page.getByText('could not be cloned')).toHaveCount(0)
    await expect(page.getByText('整改后照片')).toBeVisible()
    await page.screenshot({ path: test.info().outputPath(`submitted-${mode}.png`), fullPage: true })

    if (mode === 'offline') {
      await page.reload()
      await expect(page.getByTestId('hazard-status')).toHaveText('待复核')
      await expect(page.getByTestId('sync-status')).toContainText('1 条待上传')
      await expect(page.getByTestId('hazard-local-notice')).toContainText('本机的处理记录等待上传')
      expect((await serverHazard(id)).status).toBe('rectifying')
      await context.setOffline(false)
    }
    await syncAndSettle(page)
    const submitted = await serverHazard(id)
    expect(submitted.status).toBe('rectification_submitted')
    expect(submitted.photos.filter(p => p.stage === 'after')).toHaveLength(1)
    expect(submitted.events.filter(e => e.action === 'submit_rectification')).toHaveLength(1)

    // the zone's inspector, on another phone, sees the after-photo and verifies it
    const inspectorPhone = await browser.newContext()
    const inspector = await inspectorPhone.newPage()
    await uiLogin(inspector, 'inspector1')
    await inspector.goto(`/hazards/${id}`)
    await expect(inspector.getByTestId('hazard-status')).toHaveText('待复核')
    await expect(inspector.getByText('整改后照片')).toBeVisible()
    await inspector.screenshot({ path: test.info().outputPath(`inspector-${mode}.png`), fullPage: true })
    dialog = await openAction(inspector, 'verify', '复核通过')
    await dialog.getByRole('textbox').fill('现场复核，安全阀已更换')
    await dialog.getByRole('button', { name: '提交' }).click()
    await expect(inspector.getByTestId('hazard-status')).toHaveText('已闭环')
    await syncAndSettle(inspector)
    await inspectorPhone.close()
    expect((await serverHazard(id)).status).toBe('verified_closed')

    // the manager's phone shows it closed after the next sync
    await syncAndSettle(page)
    await expect(page.getByTestId('hazard-status')).toHaveText('已闭环')
    await expect(page.getByText('复核通过')).toBeVisible()
    await page.screenshot({ path: test.info().outputPath(`closed-${mode}.png`), fullPage: true })
  })
}

test('a rectification the phone could not store says so in Chinese and keeps the form for another try', async ({ page, request }) => {
  const token = await apiToken(request, 'manager1')
  const device = await firstDevice(request, token)
  await page.goto('/login')
  const id = await createHazardViaApi(page, request, token, device.id, `整改存储失败 e2e ${Date.now()}`)
  await uiLogin(page, 'manager1')
  const after = await makeJpeg(page, 5)
  await page.goto(`/hazards/${id}`)
  await expect(page.getByTestId('hazard-status')).toHaveText('已上报')

  const dialog = await openAction(page, 'submit_rectification', '提交整改')
  await dialog.getByRole('textbox').first().fill('已更换压力表')
  await dialog.getByTestId('photo-input').setInputFiles([{ name: 'after.jpg', mimeType: 'image/jpeg', buffer: after }])
  await expect(dialog.getByTestId('photo-thumb')).toHaveCount(1)

  // IndexedDB refuses the next writes the way it refused reactive proxies
  await page.evaluate(() => {
    const w = window as unknown as { realAdd?: typeof IDBObjectStore.prototype.add }
    w.realAdd = IDBObjectStore.prototype.add
    IDBObjectStore.prototype.add = function () {
      throw new DOMException('#<Object> could not be cloned.', 'DataCloneError')
    }
  })
  await dialog.getByRole('button', { name: '提交' }).click()
  const alert = page.getByRole('dialog').filter({ hasText: '没有保存' })
  await expect(alert).toContainText('填写的内容和照片仍在表单中')
  await page.screenshot({ path: test.info().outputPath('save-failed.png') })
  await expect(page.getByText('could not be cloned')).toHaveCount(0)
  await expect(page.getByText('DataCloneError')).toHaveCount(0)
  await alert.getByRole('button', { name: '确认' }).click()

  await page.evaluate(() => {
    IDBObjectStore.prototype.add = (window as unknown as { realAdd: typeof IDBObjectStore.prototype.add }).realAdd
  })
  await expect(dialog.getByRole('textbox').first()).toHaveValue('已更换压力表')
  await expect(dialog.getByTestId('photo-thumb')).toHaveCount(1)
  await dialog.getByRole('button', { name: '提交' }).click()
  await expect(page.getByTestId('hazard-status')).toHaveText('待复核')
  await syncAndSettle(page)
  const hazard = await (await request.get(`/api/hazards/${id}`, { headers: { Authorization: `Bearer ${token}` } })).json() as ServerHazard
  expect(hazard.status).toBe('rectification_submitted')
  expect(hazard.photos.filter(p => p.stage === 'after')).toHaveLength(1)
})
