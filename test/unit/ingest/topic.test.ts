import { describe, expect, it } from 'vitest';
import { deviceTopicBase, isWithinDeviceTree, parseTopic } from '../../../src/ingest/topic.js';

describe('parseTopic', () => {
  it('reads the device topic', () => {
    expect(parseTopic('sites/site-a/devices/meter')).toEqual({ kind: 'device', site: 'site-a', device: 'meter' });
  });
  it('reads the quantity topic', () => {
    expect(parseTopic('sites/site-a/devices/meter/power_w')).toEqual({ kind: 'quantity', site: 'site-a', device: 'meter', quantity: 'power_w' });
  });
  it('flags an unknown quantity in the topic', () => {
    expect(parseTopic('sites/site-a/devices/meter/voltage_v')).toEqual({ kind: 'unknown-quantity', site: 'site-a', device: 'meter', quantity: 'voltage_v' });
  });
  it.each(['', 'sites', 'sites/a/devices', 'site/a/devices/b', 'sites/a/device/b', 'sites//devices/b', 'sites/a/devices/', 'sites/a/devices/b/power_w/x', 'sites/a/devices/b/'])(
    'refuses %j',
    (topic) => {
      expect(parseTopic(topic).kind).toBe('unknown');
    },
  );
  it('keeps site and device of a too-deep topic for the rejection record', () => {
    expect(parseTopic('sites/a/devices/b/')).toEqual({ kind: 'unknown', site: 'a', device: 'b' });
  });
});

describe('isWithinDeviceTree', () => {
  it('accepts the base topic and below', () => {
    expect(deviceTopicBase('s', 'd')).toBe('sites/s/devices/d');
    expect(isWithinDeviceTree('sites/s/devices/d', 's', 'd')).toBe(true);
    expect(isWithinDeviceTree('sites/s/devices/d/power_w', 's', 'd')).toBe(true);
    expect(isWithinDeviceTree('sites/s/devices/d/#', 's', 'd')).toBe(true);
  });
  it('refuses siblings with a common prefix, other sites and wildcards above the device', () => {
    expect(isWithinDeviceTree('sites/s/devices/d2', 's', 'd')).toBe(false);
    expect(isWithinDeviceTree('sites/s/devices/dx/power_w', 's', 'd')).toBe(false);
    expect(isWithinDeviceTree('sites/t/devices/d', 's', 'd')).toBe(false);
    expect(isWithinDeviceTree('sites/+/devices/d', 's', 'd')).toBe(false);
    expect(isWithinDeviceTree('sites/s/devices/#', 's', 'd')).toBe(false);
    expect(isWithinDeviceTree('#', 's', 'd')).toBe(false);
  });

  it('parses the same topic to the same frozen result, and stays right past its cache bound', () => {
    const first = parseTopic('sites/s/devices/d/power_w');
    expect(parseTopic('sites/s/devices/d/power_w')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    for (let i = 0; i < 25_000; i++) expect(parseTopic(`sites/s${i}/devices/d${i}`)).toEqual({ kind: 'device', site: `s${i}`, device: `d${i}` });
    expect(parseTopic('sites/s/devices/d/power_w')).toEqual({ kind: 'quantity', site: 's', device: 'd', quantity: 'power_w' });
    // Not kept: a long topic, or one that is not a device's (each call parses it anew).
    const long = `sites/s/devices/${'d'.repeat(60_000)}`;
    expect(parseTopic(long)).not.toBe(parseTopic(long));
    expect(parseTopic('sites/s/devices/d/nope')).not.toBe(parseTopic('sites/s/devices/d/nope'));
    expect(parseTopic(long)).toEqual({ kind: 'device', site: 's', device: 'd'.repeat(60_000) });
  });
});
