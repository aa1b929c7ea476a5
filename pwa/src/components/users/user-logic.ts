// Pure rules of the user screens: which roles an administrator may give, which place a role needs,
// and how a rejected bulk sheet reads. Mirrors backend/accounts/rules.py (the server decides; this only
// keeps the form from offering what it would refuse).
import type { Role } from '@/api/types'
import type { AdminUser, BulkRowError, UserChanges, UserDraft } from '@/api/users'

export const ALL_ROLES: Role[] = [
  'bureau_admin',
  'inspector',
  'safety_manager',
  'block_supervisor',
  'maintenance_admin',
  'maintenance_worker',
]
/** what a zone inspector manages: the enterprise accounts of their own zone */
export const INSPECTOR_MANAGES: Role[] = [
  'safety_manager',
  'block_supervisor',
  'maintenance_admin',
  'maintenance_worker',
]
/** what a maintenance company's admin manages: its own workers */
export const MAINTENANCE_ADMIN_MANAGES: Role[] = ['maintenance_worker']

/** The roles an administrator of `actor`'s role may create or assign. */
export function manageableRoles(actor: Role | null): Role[] {
  if (actor === 'bureau_admin') return ALL_ROLES
  if (actor === 'inspector') return INSPECTOR_MANAGES
  if (actor === 'maintenance_admin') return MAINTENANCE_ADMIN_MANAGES
  return []
}

/** An inspector belongs to a zone; an enterprise account to an enterprise; the bureau to neither. */
export function placeOfRole(role: Role): { zone: boolean; enterprise: boolean } {
  return { zone: role === 'inspector', enterprise: role !== 'inspector' && role !== 'bureau_admin' }
}

/** The draft as sent: the place the role does not take is cleared (the server refuses it otherwise). */
export function placedDraft<T extends Pick<UserDraft, 'role' | 'zone_id' | 'enterprise_id' | 'person_id'>>(
  draft: T,
): T {
  const place = placeOfRole(draft.role)
  return {
    ...draft,
    zone_id: place.zone ? draft.zone_id : null,
    enterprise_id: place.enterprise ? draft.enterprise_id : null,
    person_id: place.enterprise ? draft.person_id : null,
  }
}

/** One line per bad row: its number, username and every message of every field. */
export function bulkRowLines(rows: readonly BulkRowError[]): { row: number; username: string; messages: string[] }[] {
  return [...rows]
    .sort((a, b) => a.row - b.row)
    .map(r => ({
      row: r.row,
      username: r.username,
      messages: (Array.isArray(r.errors) ? r.errors : Object.values(r.errors).flat()).filter(
        (m): m is string => typeof m === 'string',
      ),
    }))
}

/** What an edit changes (only those fields are sent: a role sent unchanged would still count as a role change). */
export function changedFields(user: AdminUser, draft: UserDraft): UserChanges {
  const placed = placedDraft(draft)
  const changes: UserChanges = {}
  if (placed.display_name !== user.display_name) changes.display_name = placed.display_name
  if (placed.phone !== (user.phone ?? '')) changes.phone = placed.phone
  if (placed.role !== user.role) changes.role = placed.role
  if (placed.zone_id !== user.zone_id) changes.zone_id = placed.zone_id
  if (placed.enterprise_id !== user.enterprise_id) changes.enterprise_id = placed.enterprise_id
  if (placed.person_id !== user.person_id) changes.person_id = placed.person_id
  return changes
}
