// The checklist editor's model: an editable copy of a version, its validation (the API's rules, said plainly
// before anything is sent) and the body of the new version.
import type { ChecklistSection } from '@/api/types'
import type { TemplatePublish, TemplateVersion } from '@/api/templates'

export interface EditItem {
  key: number
  code: string
  text: string
  required: boolean
}
export interface EditSection {
  key: number
  code: string
  title: string
  items: EditItem[]
}
export interface EditForm {
  code: string
  title: string
  sections: EditSection[]
}

type Translate = (key: string, values?: Record<string, unknown>) => string

let nextKey = 1

/** "daily · elevator · v2 · admin · 2026-11-23 16:00" for a list row. */
export function formatTemplateMeta(t: Translate, tpl: TemplateVersion): string {
  const parts = [t(`template.purpose.${tpl.purpose}`)]
  if (tpl.device_category) parts.push(t(`category.${tpl.device_category}`))
  parts.push(
    t('template.publishedBy', {
      who: tpl.published_by ?? t('template.system'),
      at: tpl.published_at.slice(0, 16).replace('T', ' '),
    }),
  )
  return parts.join(' · ')
}

export function toForm(tpl: TemplateVersion): EditForm {
  return {
    code: tpl.code,
    title: tpl.title,
    sections: tpl.sections.map(s => ({
      key: nextKey++,
      code: s.code,
      title: s.title,
      items: s.items.map(i => ({ key: nextKey++, code: i.code, text: i.text, required: i.required !== false })),
    })),
  }
}

function usedCodes(form: EditForm): Set<string> {
  return new Set(form.sections.flatMap(s => [s.code, ...s.items.map(i => i.code)]))
}

/** A code no section or item of the form uses (codes are lower-case letters, digits, '_' and '.'). */
function freshCode(form: EditForm, prefix: string): string {
  const used = usedCodes(form)
  let n = 1
  while (used.has(`${prefix}${n}`)) n++
  return `${prefix}${n}`
}

export function newItem(form: EditForm, section: EditSection): EditItem {
  return { key: nextKey++, code: freshCode(form, `${section.code}.new`), text: '', required: true }
}

export function newSection(form: EditForm): EditSection {
  const section: EditSection = { key: nextKey++, code: freshCode(form, 'section'), title: '', items: [] }
  section.items.push(newItem(form, section))
  return section
}

/** Move entry `index` of `list` by `step` (-1 up, +1 down) when there is room. */
export function move<T>(list: T[], index: number, step: -1 | 1): void {
  const to = index + step
  if (to < 0 || to >= list.length) return
  const [entry] = list.splice(index, 1)
  list.splice(to, 0, entry!)
}

/** Field problems keyed 'title', 'sections', 's<key>' (section title), 'i<key>' (item text); empty when valid. */
export function validateForm(t: Translate, form: EditForm): Record<string, string> {
  const problems: Record<string, string> = {}
  const title = form.title.trim()
  if (title.length < 2 || title.length > 120) problems.title = t('template.titleInvalid')
  if (!form.sections.length) problems.sections = t('template.needSection')
  if (form.sections.length > 20) problems.sections = t('template.tooManySections')
  for (const section of form.sections) {
    const name = section.title.trim()
    if (!name || name.length > 100) problems[`s${section.key}`] = t('template.sectionTitleInvalid')
    else if (!section.items.length) problems[`s${section.key}`] = t('template.needItem', { section: name })
    else if (section.items.length > 60) problems[`s${section.key}`] = t('template.tooManyItems')
    for (const item of section.items) {
      const text = item.text.trim()
      if (text.length < 2 || text.length > 300) problems[`i${item.key}`] = t('template.itemTextInvalid')
    }
  }
  return problems
}

export function toPublish(form: EditForm): TemplatePublish {
  const sections: ChecklistSection[] = form.sections.map(s => ({
    code: s.code,
    title: s.title.trim(),
    items: s.items.map(i => ({ code: i.code, text: i.text.trim(), required: i.required })),
  }))
  return { code: form.code, title: form.title.trim(), sections }
}
