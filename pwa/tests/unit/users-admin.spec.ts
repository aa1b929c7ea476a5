import type { AdminUser } from '@/api/users'
import { describe, expect, it } from 'vitest'
import { bulkRowLines, changedFields, manageableRoles, placedDraft } from '@/components/users/user-logic'
import { filenameFromDisposition } from '@/utils/download'
import { localizeFieldErrors, localizeFieldMessage } from '@/utils/field-messages'

const manager: AdminUser = {
  id: 7,
  username: 'wang.li',
  display_name: '王丽',
  role: 'safety_manager',
  zone_id: null,
  zone_name: null,
  enterprise_id: 3,
  enterprise_name: '某某公司',
  enterprise_zone_id: 1,
  person_id: 11,
  person_name: '王丽',
  phone: '',
  active: true,
  must_change_password: true,
  created_at: '2026-01-01T00:00:00Z',
}

describe('roles an administrator may give', () => {
  it('gives the bureau every role and a zone inspector only enterprise accounts', () => {
    expect(manageableRoles('bureau_admin')).toEqual([
      'bureau_admin',
      'inspector',
      'safety_manager',
      'block_supervisor',
      'maintenance_admin',
      'maintenance_worker',
    ])
    expect(manageableRoles('inspector')).toEqual([
      'safety_manager',
      'block_supervisor',
      'maintenance_admin',
      'maintenance_worker',
    ])
    expect(manageableRoles('maintenance_admin')).toEqual(['maintenance_worker'])
    expect(manageableRoles('safety_manager')).toEqual([])
  })

  it('sends only the place the role takes', () => {
    const base = { username: 'x', display_name: '', phone: '', zone_id: 2, enterprise_id: 5, person_id: 9 }
    expect(placedDraft({ ...base, role: 'inspector' })).toMatchObject({ zone_id: 2, enterprise_id: null, person_id: null })
    expect(placedDraft({ ...base, role: 'block_supervisor' })).toMatchObject({ zone_id: null, enterprise_id: 5, person_id: 9 })
    expect(placedDraft({ ...base, role: 'bureau_admin' })).toMatchObject({ zone_id: null, enterprise_id: null })
  })

  it('sends an edit as only what changed (an unchanged role is not a role change)', () => {
    const draft = { username: 'wang.li', display_name: '王丽', role: 'safety_manager' as const, zone_id: null, enterprise_id: 3, person_id: 11, phone: '' }
    expect(changedFields(manager, draft)).toEqual({})
    expect(changedFields(manager, { ...draft, person_id: 12 })).toEqual({ person_id: 12 })
    expect(changedFields(manager, { ...draft, display_name: '王莉', enterprise_id: 4 })).toEqual({ display_name: '王莉', enterprise_id: 4 })
    expect(changedFields(manager, { ...draft, role: 'inspector', zone_id: 1 })).toEqual({ role: 'inspector', zone_id: 1, enterprise_id: null, person_id: null })
  })
})

describe('a rejected bulk sheet', () => {
  it('lists rows in order with every message of every field', () => {
    const lines = bulkRowLines([
      { row: 5, username: 'b', errors: { role: ['未知角色 (unknown role)'] } },
      { row: 3, username: 'a', errors: { username: ['用户名已被使用'], enterprise_id: ['本辖区没有这家企业'] } },
    ])
    expect(lines).toEqual([
      { row: 3, username: 'a', messages: ['用户名已被使用', '本辖区没有这家企业'] },
      { row: 5, username: 'b', messages: ['未知角色 (unknown role)'] },
    ])
  })
})

describe('download file names', () => {
  it('prefers the RFC 6266 UTF-8 name, Chinese included', () => {
    const header = `attachment; filename="new-users.xlsx"; filename*=UTF-8''%E6%96%B0%E7%94%A8%E6%88%B7.xlsx`
    expect(filenameFromDisposition(header, 'x.xlsx')).toBe('新用户.xlsx')
  })
  it('falls back to the plain name, then to the default', () => {
    expect(filenameFromDisposition('attachment; filename="a b.xlsx"', 'x.xlsx')).toBe('a b.xlsx')
    expect(filenameFromDisposition('attachment; filename*=UTF-8\'\'%E0%A4', 'x.xlsx')).toBe('x.xlsx')
    expect(filenameFromDisposition(null, 'x.xlsx')).toBe('x.xlsx')
  })
})

describe('field messages in the user\'s language', () => {
  const t = (key: string, params?: Record<string, unknown>) => `${key}${params && Object.keys(params).length ? JSON.stringify(params) : ''}`
  it('translates the schema library\'s generic English messages', () => {
    expect(localizeFieldMessage('Missing data for required field.', t)).toBe('common.field.required')
    expect(localizeFieldMessage('Length must be between 3 and 60.', t)).toBe('common.field.length{"min":"3","max":"60"}')
  })
  it('keeps the API\'s own messages and translates each of a field\'s messages', () => {
    expect(localizeFieldMessage('辖区不存在 (unknown zone)', t)).toBe('辖区不存在 (unknown zone)')
    expect(localizeFieldErrors({ name: 'Shorter than minimum length 2.；重复' }, t)).toEqual({ name: 'common.field.tooShort{"min":"2"}；重复' })
  })
})
