import { describe, expect, it } from 'vitest';
import { availabilityReport } from './views.js';

const TODAY = '2026-11-21';
const wh = { ref: 'wh', eta: null, available: 5 };
const jun = { ref: 'jun', eta: '2030-06-01', available: 20 };
const jan = { ref: 'jan', eta: '2031-01-10', available: 5 };

describe('availabilityReport (the legacy semantics)', () => {
  it('sums warehouse stock as availableNow and every batch as totalAvailable', () => {
    expect(availabilityReport('S', 1, [wh, jun, jan], TODAY)).toEqual({
      sku: 'S',
      requestedQty: 1,
      availableNow: 5,
      totalAvailable: 30,
      batches: [wh, jun, jan],
      canFulfil: true,
      earliestDate: TODAY,
    });
  });

  it('dates a quantity by the first batch in allocation order that takes it whole', () => {
    expect(availabilityReport('S', 6, [wh, jun, jan], TODAY).earliestDate).toBe('2030-06-01');
    expect(availabilityReport('S', 5, [wh, jun, jan], TODAY).earliestDate).toBe(TODAY);
  });

  it('cannot fulfil a quantity no single batch holds, whatever the total', () => {
    expect(availabilityReport('S', 21, [wh, jun, jan], TODAY)).toMatchObject({
      totalAvailable: 30,
      canFulfil: false,
      earliestDate: null,
    });
  });

  it('answers zeros and no date for a product without batches', () => {
    expect(availabilityReport('S', 1, [], TODAY)).toEqual({
      sku: 'S',
      requestedQty: 1,
      availableNow: 0,
      totalAvailable: 0,
      batches: [],
      canFulfil: false,
      earliestDate: null,
    });
  });
});
