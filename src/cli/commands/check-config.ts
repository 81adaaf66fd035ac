import { QUANTITIES } from '../../config/quantities.js';
import { loadContext } from '../context.js';

export const checkConfigHelp = `check-config [--config FILE]
  Checks the site configuration as the service would, without starting anything.
  Prints every problem with its path and exits 1, or a summary and exits 0.`;

export function checkConfig(configOption: string | undefined, out: (line: string) => void): number {
  const { config, configPath } = loadContext(configOption);
  const devices = config.sites.reduce((n, s) => n + s.devices.length, 0);
  out(`${configPath}: valid, ${config.sites.length} site(s), ${devices} device(s)`);
  for (const site of config.sites) {
    const meters = site.devices.filter((d) => d.quantities.some((q) => QUANTITIES[q].kind === 'cumulative'));
    out(`  ${site.id} (${site.name}): ${site.floorAreaM2} m², ${site.timezone}, ${site.devices.length} device(s), ${meters.length} meter(s)${site.outdoorTemperature ? '' : ', no outdoor temperature source'}`);
  }
  return 0;
}
