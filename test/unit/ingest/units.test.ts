import { describe, expect, it } from 'vitest';
import { convertToQuantityUnit, quantityForBaseName } from '../../../src/ingest/units.js';

describe('convertToQuantityUnit', () => {
  it('converts energy and power units exactly', () => {
    expect(convertToQuantityUnit('energy_kwh', 'Wh', 18234600)).toBe(18234.6);
    expect(convertToQuantityUnit('energy_kwh', 'kWh', 18234.6)).toBe(18234.6);
    expect(convertToQuantityUnit('heat_kwh', 'Wh', 1500)).toBe(1.5);
    expect(convertToQuantityUnit('power_w', 'kW', 5.12)).toBe(5120);
    expect(convertToQuantityUnit('power_w', 'W', 5120)).toBe(5120);
  });
  it('keeps values of the quantity unit and of no unit', () => {
    expect(convertToQuantityUnit('temperature_c', 'Cel', 21.5)).toBe(21.5);
    expect(convertToQuantityUnit('humidity_pct', '%RH', 45)).toBe(45);
    expect(convertToQuantityUnit('co2_ppm', 'ppm', 800)).toBe(800);
    expect(convertToQuantityUnit('gas_m3', 'm3', 12.5)).toBe(12.5);
    expect(convertToQuantityUnit('water_m3', undefined, 3)).toBe(3);
    expect(convertToQuantityUnit('occupancy', undefined, 12)).toBe(12);
  });
  it('refuses units that do not fit', () => {
    expect(convertToQuantityUnit('power_w', 'Wh', 1)).toBeUndefined();
    expect(convertToQuantityUnit('temperature_c', 'K', 290)).toBeUndefined();
    expect(convertToQuantityUnit('energy_kwh', 'J', 1)).toBeUndefined();
    expect(convertToQuantityUnit('energy_kwh', 'constructor', 1)).toBeUndefined();
  });
});

describe('quantityForBaseName', () => {
  it('maps base names', () => {
    expect(quantityForBaseName('energy')).toBe('energy_kwh');
    expect(quantityForBaseName('power')).toBe('power_w');
    expect(quantityForBaseName('temperature')).toBe('temperature_c');
    expect(quantityForBaseName('humidity')).toBe('humidity_pct');
    expect(quantityForBaseName('co2')).toBe('co2_ppm');
    expect(quantityForBaseName('occupancy')).toBe('occupancy');
    expect(quantityForBaseName('gas')).toBe('gas_m3');
    expect(quantityForBaseName('water')).toBe('water_m3');
    expect(quantityForBaseName('heat')).toBe('heat_kwh');
    expect(quantityForBaseName('voltage')).toBeUndefined();
    expect(quantityForBaseName('toString')).toBeUndefined();
  });
});
