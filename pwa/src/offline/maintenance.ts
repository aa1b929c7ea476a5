// The maintenance worker's work orders on the phone (for the lift shaft without signal).
import { fetchMyOrders } from '@/api/maintenance'
import { db } from './db'

/** Replace the phone's copy with the server's open orders, keeping those recorded here and not yet synced. */
export async function refreshMyOrders(): Promise<void> {
  const page = await fetchMyOrders()
  await db.transaction('rw', db.maintenanceOrders, async () => {
    const pending = new Set((await db.maintenanceOrders.toArray()).filter(o => o._pending).map(o => o.id))
    await db.maintenanceOrders
      .where('id')
      .noneOf([...pending])
      .delete()
    await db.maintenanceOrders.bulkPut(page.items.filter(o => !pending.has(o.id)))
  })
}
