// Checklist templates (检查表) for the bureau's editor: every version, one version, publish a new one. Online only.
import type { ChecklistSection, ChecklistTemplate } from './types'
import { request } from './http'

/** A published version as the editor lists it: who published it and when. */
export interface TemplateVersion extends ChecklistTemplate {
  is_current: boolean
  published_at: string
  published_by: string | null
}

export interface TemplatePublish {
  code: string
  title: string
  sections: ChecklistSection[]
}

/** Every version of every checklist (or of one code), oldest first. */
export async function listTemplateVersions(code?: string): Promise<TemplateVersion[]> {
  const res = await request<{ items: TemplateVersion[] }>('/api/checklist-templates', {
    query: { all_versions: true, code },
  })
  return res.items
}

export function fetchTemplateVersion(id: number | string): Promise<TemplateVersion> {
  return request<TemplateVersion>(`/api/checklist-templates/${encodeURIComponent(String(id))}`)
}

/** Publish a new version (bureau admins); checks already submitted keep the version they used. */
export function publishTemplate(body: TemplatePublish): Promise<TemplateVersion> {
  return request<TemplateVersion>('/api/checklist-templates', { method: 'POST', json: body })
}
