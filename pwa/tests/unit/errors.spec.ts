import { describe, expect, it } from 'vitest'
import { errorText, fieldErrors, firstErrorText } from '@/api/errors'
import { ApiError } from '@/api/http'

const invalid = new ApiError(422, 'validation_failed', '提交的内容有误', {
  fields: { reason: ['请填写原因'], photos: { 0: { sha256: ['照片校验值不符'] } } },
})

describe('error texts', () => {
  it('tells the server message and each field message once, for a dialog', () => {
    expect(errorText(invalid)).toBe('提交的内容有误\n请填写原因')
    expect(errorText(new ApiError(409, 'conflict', '已被处理'))).toBe('已被处理')
  })

  it('tells a plain error by its message', () => {
    expect(errorText(new Error('磁盘已满'))).toBe('磁盘已满')
    expect(firstErrorText(new Error('磁盘已满'))).toBe('磁盘已满')
  })

  it('finds the first field message however deep, else the server message', () => {
    expect(firstErrorText(invalid)).toBe('请填写原因')
    expect(firstErrorText(new ApiError(422, 'validation_failed', '提交的内容有误', { fields: { photos: { 0: { sha256: ['照片校验值不符'] } } } })))
      .toBe('照片校验值不符')
    expect(firstErrorText(new ApiError(500, 'server_error', '服务器错误'))).toBe('服务器错误')
  })

  it('maps field messages to form fields', () => {
    expect(fieldErrors(invalid)).toEqual({ reason: '请填写原因', photos: '{"0":{"sha256":["照片校验值不符"]}}' })
  })
})
