// The maintenance worker's work orders on the phone (for the lift shaft without signal).
import type { MaintenanceOrder } from '@/api/maintenance'
import { fetchMyOrders } from '@/api/maintenance'
import { db } from './db'

/** pages of 100 open orders at most: a company's whole round, far more than one worker's phone needs */
const MAX_PAGES = 20

/** Every open order of the caller, all pages: the first page alone is the 100 soonest due, and an urgent order
 * (困人) due today came after a company's 100 overdue ones and never reached the worker's phone. */
async function fetchAllMyOrders(): Promise<MaintenanceOrder[]> {
  const items: MaintenanceOrder[] = []
  for (let n = 1; n <= MAX_PAGES; n++) {
    const page = await fetchMyOrders(n)
    items.push(...page.items)
    if (!page.items.length || n * page.per_page >= page.total) break
  }
  return items
}

/** Replace the phone's copy with the server's open orders, keeping those recorded here and not yet synced. */
export async function refreshMyOrders(): Promise<void> {
  const orders = await fetchAllMyOrders()
  await db.transaction('rw', db.maintenanceOrders, async () => {
    const pending = new Set((await db.maintenanceOrders.toArray()).filter(o => o._pending).map(o => o.id))
    await db.maintenanceOrders
      .where('id')
      .noneOf([...pending])
      .delete()
    await db.maintenanceOrders.bulkPut(orders.filter(o => !pending.has(o.id)))
  })
}
