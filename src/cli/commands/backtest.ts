import { isValidDate } from '../dates.js';
import { addDays, localMidnightMs } from '../../energy/local-time.js';
import { runBacktest } from '../../rules/backtest.js';
import { loadRules } from '../../rules/load-rules.js';
import { defaultRegistry } from '../../rules/registry.js';
import { RulesError } from '../../rules/rule-schema.js';
import { createStore } from '../../service.js';
import { createLogger } from '../../observability/logger.js';
import { CliError } from '../cli-error.js';
import { loadContext } from '../context.js';

export const backtestHelp = `backtest --site S --from YYYY-MM-DD --to YYYY-MM-DD [--rules FILE] [--config FILE]
  Runs the rules over the stored history of a site (imported CSV included), with the live
  evaluator on a fake clock, and prints one JSON line per alert that would have opened:
  {"site","device","rule","severity","start","end","measured","expected"} (end: null if still
  open at --to). A summary goes to stderr. Dates are local days of the site, --to included.
  --rules FILE tries other rules (default: RULES_FILE, the configuration's rules:, then the
  shipped defaults). With the embedded store, stop the service first (DuckDB has one writer).`;

export interface BacktestArgs {
  site: string | undefined;
  from: string | undefined;
  to: string | undefined;
  rules: string | undefined;
  config: string | undefined;
}

export async function backtestCommand(args: BacktestArgs, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  if (!args.site) throw new CliError('--site is required');
  for (const name of ['from', 'to'] as const) {
    const value = args[name];
    if (!value) throw new CliError(`--${name} is required (YYYY-MM-DD)`);
    if (!isValidDate(value)) throw new CliError(`--${name}: "${value}" is not a date YYYY-MM-DD`);
  }
  if (args.from! > args.to!) throw new CliError(`--from (${args.from}) is after --to (${args.to})`);
  const { env, config, configPath } = loadContext(args.config);
  const site = config.sites.find((s) => s.id === args.site);
  if (!site) throw new CliError(`--site: unknown site "${args.site}" (known: ${config.sites.map((s) => s.id).join(', ')})`);
  let rules;
  try {
    rules = loadRules({ rulesFile: args.rules ?? env.RULES_FILE, config, registry: defaultRegistry(), configSource: configPath });
  } catch (e) {
    if (e instanceof RulesError) throw new CliError(e.message);
    throw e;
  }
  const store = await createStore(env, createLogger('silent'));
  await store.start();
  try {
    const started = Date.now();
    const result = await runBacktest({
      config, rules, query: store, site: site.id,
      fromMs: localMidnightMs(args.from!, site.timezone), toMs: localMidnightMs(addDays(args.to!, 1), site.timezone),
    });
    for (const a of result.alerts) {
      out(JSON.stringify({ site: a.site, device: a.device, rule: a.rule, severity: a.severity, start: a.start, end: a.end, measured: a.measured, expected: a.expected }));
    }
    const byRule = new Map<string, number>();
    for (const a of result.alerts) byRule.set(a.rule, (byRule.get(a.rule) ?? 0) + 1);
    err(
      `backtest ${site.id} ${args.from}..${args.to}: ${result.alerts.length} alert${result.alerts.length === 1 ? '' : 's'} ` +
        `(${[...byRule].map(([r, n]) => `${r} ${n}`).join(', ') || 'none'}), ${result.bindings} rule bindings, ` +
        `${result.alerts.filter((a) => a.end === null).length} still open at --to, ${result.failures} evaluation failures, rules from ${rules.configured.length > 0 ? rules.source : 'the shipped defaults'}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return result.failures > 0 ? 1 : 0;
  } finally {
    await store.stop();
  }
}
