import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/http'
import { useRecordForm } from '@/composables/use-records'

const refused = new ApiError(422, 'validation_failed', '提交的内容有误', { fields: { unit: ['请填写施工单位'] } })
let toasts: { ok: ReturnType<typeof vi.fn>; fail: ReturnType<typeof vi.fn> }

beforeEach(() => {
  toasts = { ok: vi.fn(), fail: vi.fn() }
  vi.stubGlobal('showSuccessToast', toasts.ok)
  vi.stubGlobal('showFailToast', toasts.fail)
})
afterEach(() => vi.unstubAllGlobals())

describe('a device-file record form', () => {
  it('keeps what was typed and puts the server field message next to its field when refused', async () => {
    const saved = vi.fn()
    const record = useRecordForm(() => ({ unit: '', description: '' }), () => Promise.reject(refused), saved)
    record.open()
    record.form.unit = ' '
    record.form.description = '更换曳引钢丝绳'
    await record.save()
    expect(record.show.value).toBe(true)
    expect(record.form.description).toBe('更换曳引钢丝绳')
    expect(record.errors.value).toEqual({ unit: '请填写施工单位' })
    expect(toasts.fail).not.toHaveBeenCalled()
    expect(saved).not.toHaveBeenCalled()
    expect(record.saving.value).toBe(false)
  })

  it('tells a refusal without field messages in a toast', async () => {
    const record = useRecordForm(() => ({ unit: '' }), () => Promise.reject(new ApiError(409, 'conflict', '设备已报废')), vi.fn())
    record.open()
    await record.save()
    expect(toasts.fail).toHaveBeenCalledWith('设备已报废')
    expect(record.show.value).toBe(true)
  })

  it('closes with the success text and reloads after a save, and opens blank again', async () => {
    const saved = vi.fn()
    const sent: unknown[] = []
    const record = useRecordForm(
      () => ({ unit: '' }),
      async form => {
        sent.push({ ...form })
        return '已保存'
      },
      saved,
    )
    record.open()
    record.form.unit = '市电梯安装公司'
    await record.save()
    expect(sent).toEqual([{ unit: '市电梯安装公司' }])
    expect(record.show.value).toBe(false)
    expect(toasts.ok).toHaveBeenCalledWith('已保存')
    expect(saved).toHaveBeenCalledOnce()
    record.open()
    expect(record.form.unit).toBe('')
    expect(record.errors.value).toEqual({})
  })
})
