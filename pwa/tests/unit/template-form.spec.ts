import type { TemplateVersion } from '@/api/templates'
import { describe, expect, it } from 'vitest'
import { move, newItem, newSection, toForm, toPublish, validateForm } from '@/components/templates/template-form'

const t = (key: string, values?: Record<string, unknown>) => (values ? `${key}:${JSON.stringify(values)}` : key)

const v1: TemplateVersion = {
  id: 7,
  code: 'device_elevator',
  version: 1,
  purpose: 'daily_device',
  device_category: 'elevator',
  title: '电梯日常检查表',
  is_current: true,
  published_at: '2026-11-23T08:00:00Z',
  published_by: null,
  sections: [{ code: 'elevator', title: '日常检查', items: [
    { code: 'elevator.sign', text: '使用标志有效' },
    { code: 'elevator.alarm', text: '紧急报警装置有效', required: false },
  ] }],
}

describe('checklist editor model', () => {
  it('should publish an untouched copy with the same codes, texts and required flags', () => {
    const body = toPublish(toForm(v1))
    expect(body.code).toBe('device_elevator')
    expect(body.sections[0]!.items).toEqual([
      { code: 'elevator.sign', text: '使用标志有效', required: true },
      { code: 'elevator.alarm', text: '紧急报警装置有效', required: false },
    ])
  })

  it('should give added items and sections codes no other entry uses', () => {
    const form = toForm(v1)
    const section = form.sections[0]!
    section.items.push(newItem(form, section))
    section.items.push(newItem(form, section))
    form.sections.push(newSection(form))
    const codes = toPublish(form).sections.flatMap(s => [s.code, ...s.items.map(i => i.code)])
    expect(new Set(codes).size).toBe(codes.length)
    expect(codes.every(c => /^[a-z0-9_.]{1,60}$/.test(c))).toBe(true)
  })

  it('should reorder items and ignore moves past either end', () => {
    const list = ['a', 'b', 'c']
    move(list, 2, -1)
    expect(list).toEqual(['a', 'c', 'b'])
    move(list, 0, -1)
    move(list, 2, 1)
    expect(list).toEqual(['a', 'c', 'b'])
  })

  it('should name each field that breaks the rules and accept a valid form', () => {
    const form = toForm(v1)
    expect(validateForm(t, form)).toEqual({})
    const section = form.sections[0]!
    form.title = 'x'
    section.items[0]!.text = ' '
    form.sections.push({ key: 999, code: 's', title: '空的部分', items: [] })
    const problems = validateForm(t, form)
    expect(problems.title).toBe('template.titleInvalid')
    expect(problems[`i${section.items[0]!.key}`]).toBe('template.itemTextInvalid')
    expect(problems.s999).toContain('template.needItem')
    form.sections = []
    expect(validateForm(t, form).sections).toBe('template.needSection')
  })
})
