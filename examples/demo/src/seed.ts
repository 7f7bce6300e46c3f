/** Sample data for an empty demo, sent through the proxy like any client would. */
const BATCHES = [
  { ref: 'rug-warehouse', sku: 'HAZARDOUS_RUG', qty: 20, eta: null },
  { ref: 'rug-shipment-1', sku: 'HAZARDOUS_RUG', qty: 100, eta: daysFromNow(14) },
  { ref: 'lamp-warehouse', sku: 'BLUE_LAMP', qty: 5, eta: null },
];
const ORDERS = [
  { orderid: 'order-1', sku: 'HAZARDOUS_RUG', qty: 3 },
  { orderid: 'order-2', sku: 'BLUE_LAMP', qty: 2 },
];

/** Seeds only when the legacy system has no products: a restarted demo keeps its own state. */
export async function seedIfEmpty(proxyUrl: string): Promise<string | null> {
  const probe = await fetch(`${proxyUrl}/products/HAZARDOUS_RUG/availability`);
  await probe.arrayBuffer();
  if (probe.status !== 404) return null;
  for (const b of BATCHES) await post(`${proxyUrl}/batches`, b);
  for (const o of ORDERS) await post(`${proxyUrl}/allocate`, o);
  return `seeded ${BATCHES.length} batches and ${ORDERS.length} allocations through the proxy`;
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`seeding: POST ${url} answered ${res.status}: ${text}`);
}

function daysFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}
